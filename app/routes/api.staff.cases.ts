// GET: the investigator's inbox page as JSON (titles as ciphertext with envelopes).
import { investigator } from "../.server/api-guards";
import { auditInboxListing, listInbox } from "../.server/casework/inbox";
import { apiRoute, endpoint } from "../.server/platform/api-route";
import { INBOX_QUERY, inboxQuery } from "../staff/inbox-query";
import { inboxResponse } from "../staff/wire";

export const api = apiRoute({
  summary: "The inbox",
  methods: {
    GET: endpoint({
      summary: "The investigator's inbox page (titles as ciphertext with envelopes)",
      guard: investigator,
      query: INBOX_QUERY,
      response: inboxResponse,
      handler: async ({ services: s, caller, query }) => {
        const inbox = await listInbox(s, caller.id, inboxQuery(query));
        await auditInboxListing(s, caller.id, inbox.page, inbox.rows.length);
        return inbox;
      },
    }),
  },
});
export const loader = api.loader;
