// POST: the password KDF salt for an email (a stable fake one for unknown addresses).
import { anyone } from "../.server/api-guards";
import { apiRoute, endpoint, jsonBody } from "../.server/platform/api-route";
import { preLogin } from "../.server/staff/auth";
import { preloginRequest, preloginResponse } from "../staff/wire";

export const api = apiRoute({
  summary: "Staff sign-in, the salt",
  methods: {
    POST: endpoint({
      summary: "The password KDF salt for an email (a stable fake one for unknown addresses)",
      guard: anyone,
      body: jsonBody(1024, preloginRequest),
      response: preloginResponse,
      handler: ({ services, body }) => preLogin(services, body.email),
    }),
  },
});
export const action = api.action;
