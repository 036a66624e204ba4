// The order in which vitest hands test files to its two workers. Vitest's own order runs the longest files first
// only when its cache holds their durations from an earlier run; on a clean clone (CI) it has none and falls back
// to the file system's order, so one worker could end the run alone on the 77 s abuse suite while the other sat
// idle (seen: a third of the run on one worker). Here the longest files go first by the durations measured in
// one full run (file-seconds.json; files missing from it count as the median), so that the two workers finish
// together. Refresh the table with `npm run test:file-seconds` when the suite changes much.
import { BaseSequencer, type TestSpecification } from "vitest/node";
import measured from "./file-seconds.json" with { type: "json" };

const seconds: Record<string, number> = measured.seconds;
const known = Object.values(seconds).sort((a, b) => a - b);
const median = known[Math.floor(known.length / 2)] ?? 1;

export function expectedSeconds(relativePath: string): number {
  return seconds[relativePath] ?? median;
}

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const weight = (f: TestSpecification) => expectedSeconds(f.moduleId.slice(root.length + 1));
    return [...files].sort((a, b) => weight(b) - weight(a));
  }
}
