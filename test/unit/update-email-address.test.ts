// Where update e-mails go (ADR 016, ADR 052), as the case page decides it: the reporter's own address record,
// or, for reports from before that record existed, the wish inside the identity once it was released to this
// investigator. Real libsodium; the records are made as the reporter's browser (or release 0.1.0) made them.
import { beforeAll, describe, expect, it } from "vitest";
import { encryptJson, encryptNotifyAddress, generateReportKeys, loadSodium, newRecordId, openIdentity, toBase64Url, type ReporterIdentity } from "../../crypto";
import { updateEmailAddress } from "../../app/staff/identity-access";

const wants: ReporterIdentity = { name: "홍길동", email: "reporter@example.org", phone: null, notify: { email: true, language: "ko" } };

describe("update e-mail address on the case page", () => {
  beforeAll(loadSodium);

  it("takes the wish from a released identity of a report from before ADR 052 (no address record)", () => {
    const { reportKey } = generateReportKeys();
    const reportId = newRecordId();
    // Release 0.1.0's record: report-identity under the report key, the wish inside it.
    const legacy = encryptJson(reportKey, { purpose: "report-identity", id: reportId }, wants);
    const identity = openIdentity(reportKey, reportId, legacy, null);
    expect(updateEmailAddress(reportKey, reportId, null, identity)).toEqual({ email: "reporter@example.org", language: "ko" });
    // Before the investigator recorded a reason there is nothing to send to.
    expect(updateEmailAddress(reportKey, reportId, null, null)).toBeNull();
  });

  it("sends nothing when the identity asks for no e-mails or has no address", () => {
    const { reportKey } = generateReportKeys();
    const reportId = newRecordId();
    expect(updateEmailAddress(reportKey, reportId, null, { ...wants, notify: { email: false, language: "en" } })).toBeNull();
    expect(updateEmailAddress(reportKey, reportId, null, { ...wants, email: null })).toBeNull();
    expect(updateEmailAddress(reportKey, reportId, null, { name: "n", email: "x@example.org", phone: null })).toBeNull();
  });

  it("prefers the reporter's address record, with or without a released identity", () => {
    const { reportKey } = generateReportKeys();
    const reportId = newRecordId();
    const record = toBase64Url(encryptNotifyAddress(reportKey, reportId, { email: "new@example.org", language: "en" }));
    expect(updateEmailAddress(reportKey, reportId, record, null)).toEqual({ email: "new@example.org", language: "en" });
    expect(updateEmailAddress(reportKey, reportId, record, wants)).toEqual({ email: "new@example.org", language: "en" });
    // A record of another report does not open here; the released identity's wish still counts.
    const foreign = toBase64Url(encryptNotifyAddress(reportKey, newRecordId(), { email: "other@example.org", language: "en" }));
    expect(updateEmailAddress(reportKey, reportId, foreign, null)).toBeNull();
    expect(updateEmailAddress(reportKey, reportId, foreign, wants)).toEqual({ email: "reporter@example.org", language: "ko" });
  });
});
