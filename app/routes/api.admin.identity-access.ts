// Administrators: the reasons investigators choose from to open a reporter's identity, and whether a second
// investigator must approve each access (ADR 052). GET reads, POST replaces both; audited.
import { admin } from "../.server/api-guards";
import { identitySettings, saveIdentitySettings } from "../.server/identity-access/identity-access";
import { apiRoute, endpoint, jsonBody } from "../.server/platform/api-route";
import { identitySettingsRequest, identitySettingsResponse } from "../shared/identity-wire";

export const api = apiRoute({
  summary: "Identity access settings",
  methods: {
    GET: endpoint({
      summary: "The reasons offered for opening a reporter's identity, and whether approval is required",
      guard: admin,
      response: identitySettingsResponse,
      handler: ({ services }) => identitySettings(services.db),
    }),
    POST: endpoint({
      summary: "Replaces the reasons and the approval setting (a reason accesses name stays, retired)",
      guard: admin,
      body: jsonBody(16 * 1024, identitySettingsRequest),
      response: identitySettingsResponse,
      handler: async ({ services, caller, body }) => {
        await saveIdentitySettings(services, caller, body);
        return identitySettings(services.db);
      },
    }),
  },
});
export const loader = api.loader;
export const action = api.action;
