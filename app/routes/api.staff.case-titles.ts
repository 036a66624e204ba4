// GET: a batch of the encrypted titles of every case the investigator holds a key for, with their
// envelopes, for the title search that runs in the browser (ADR 050).
import { investigator } from "../.server/api-guards";
import { CASE_TITLES_QUERY, caseTitlesQuery, listCaseTitles } from "../.server/casework/case-titles";
import { apiRoute, endpoint } from "../.server/platform/api-route";
import { caseTitlesResponse } from "../staff/wire";

export const api = apiRoute({
  summary: "Case titles for the title search",
  methods: {
    GET: endpoint({
      summary: "A batch of the encrypted titles (with envelopes) of every case the caller holds a key for, in report id order",
      guard: investigator,
      query: CASE_TITLES_QUERY,
      response: caseTitlesResponse,
      errors: [{ status: 400, code: "bad_query" }],
      handler: ({ services: s, caller, query }) => listCaseTitles(s, caller.id, caseTitlesQuery(query)),
    }),
  },
});
export const loader = api.loader;
