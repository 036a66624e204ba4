// Reporter audience layout: every page under it is for (possible) whistleblowers.
// Nothing here loads staff code, sets cookies or records who visits.
import { Outlet } from "@remix-run/react";

export default function ReporterLayout() {
  return <Outlet />;
}
