// Issue 16: the channel stays open. Each row of the table of attacks is
// replayed against the real portal on both databases, and the new outcome is
// asserted; docs/THREAT-MODEL.md lists the rows with their defences.
// Each row lives in its own module under ./abuse/ (its own portals and
// settings); importing them here runs them as one suite.
import "./abuse/row-3-reporters";
