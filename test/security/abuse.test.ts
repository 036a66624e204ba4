// Issue 16: the channel stays open. Each row of the table of attacks is
// replayed against the real portal on both databases, and the new outcome is
// asserted; docs/THREAT-MODEL.md §2.17 lists the rows with their defences.
// Each row lives in its own module under ./abuse/ (its own portals and
// settings); importing them here runs them as one suite.
import "./abuse/rows-1-3-sign-in";
import "./abuse/row-2-upload-space";
import "./abuse/row-3-reporters";
import "./abuse/row-4-report-floods";
import "./abuse/rows-5-6-hostile-json";
import "./abuse/row-7-audit-log";
import "./abuse/row-8-metadata";
