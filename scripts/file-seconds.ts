// test/setup/file-seconds.json, the seconds each test file took in one full run, which the test sequencer
// (test/setup/sequencer.ts) uses to start the longest files first on a clean clone.
//
//   npm run test:file-seconds    runs the whole suite once with vitest's JSON reporter and writes the table
//
// A development script: nothing at run time loads it. Measure on an otherwise idle machine.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

interface JsonReport {
  testResults: { name: string; startTime: number; endTime: number }[];
}

const root = path.resolve(import.meta.dirname, "..");
const dir = mkdtempSync(path.join(os.tmpdir(), "file-seconds-"));
const report = path.join(dir, "report.json");
try {
  execFileSync("npx", ["vitest", "run", "--reporter=dot", "--reporter=json", `--outputFile.json=${report}`], { cwd: root, stdio: "inherit" });
  const { testResults } = JSON.parse(readFileSync(report, "utf8")) as JsonReport;
  const seconds = Object.fromEntries(
    testResults.map((f) => [path.relative(root, f.name), Math.round((f.endTime - f.startTime) / 100) / 10] as const).sort((a, b) => b[1] - a[1]),
  );
  const measured = `${new Date().toISOString().slice(0, 10)}, npm test on ${os.cpus().length} cores (seconds per file, tests and hooks)`;
  writeFileSync(path.join(root, "test/setup/file-seconds.json"), JSON.stringify({ measured, seconds }, null, 1) + "\n");
  console.log(`wrote test/setup/file-seconds.json: ${testResults.length} files`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
