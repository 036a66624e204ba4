// A static check that no SQL is built from strings, on the TypeScript syntax
// tree (comments and strings cannot fool it):
// - `sql.raw(x)` / `sql.identifier(x)` with anything but a string literal;
// - query text handed to `.execute()`, `.query()`, `.unsafe()` that is not a
//   quoted literal or a tagged template (any template string, a
//   concatenation, a variable);
// - a `${}` inside a drizzle `sql` template that is itself a template string or
//   a string concatenation (SQL text being assembled, even if drizzle would
//   bind the result as one parameter);
// - a plain template string or concatenation whose literal text reads as SQL.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

export interface SqlFinding {
  file: string;
  line: number;
  rule: string;
  text: string;
}

const SQL_TEXT = /\b(select\s[\s\S]*\bfrom|insert\s+into|update\s+\S+\s+set|delete\s+from|drop\s+table|alter\s+table|create\s+table)\b/i;

function isLiteral(n: ts.Node): boolean {
  return ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n);
}

function isSqlTag(tag: ts.Expression): boolean {
  return ts.isIdentifier(tag) && tag.text === "sql";
}

function isStringConcat(n: ts.Node): boolean {
  if (!ts.isBinaryExpression(n) || n.operatorToken.kind !== ts.SyntaxKind.PlusToken) return false;
  const side = (x: ts.Expression): boolean => isLiteral(x) || ts.isTemplateExpression(x) || isStringConcat(x);
  return side(n.left) || side(n.right);
}

function literalText(n: ts.Node): string {
  if (isLiteral(n)) return (n as ts.StringLiteral).text;
  if (ts.isTemplateExpression(n)) return [n.head.text, ...n.templateSpans.map((s) => s.literal.text)].join(" ");
  if (ts.isBinaryExpression(n)) return `${literalText(n.left)} ${literalText(n.right)}`;
  return "";
}

export function lintSource(file: string, source: string): SqlFinding[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const out: SqlFinding[] = [];
  const add = (n: ts.Node, rule: string) =>
    out.push({ file, line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1, rule, text: n.getText(sf).replace(/\s+/g, " ").slice(0, 160) });
  const visit = (n: ts.Node, insideSqlTemplate: boolean): void => {
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
      const obj = n.expression.expression.getText(sf);
      const name = n.expression.name.text;
      const arg = n.arguments[0];
      if (obj === "sql" && (name === "raw" || name === "identifier") && arg && !isLiteral(arg)) add(n, `sql.${name} with a non-literal argument`);
      // A quoted literal or a tagged template (drizzle sql``, postgres.js client``: values bound as parameters);
      // a template string is refused even without ${}: it is where interpolation starts.
      if (["execute", "query", "unsafe"].includes(name) && arg && !ts.isStringLiteral(arg) && !ts.isTaggedTemplateExpression(arg))
        add(n, `.${name}() with query text that is not a quoted literal or a tagged template`);
    }
    if (ts.isTaggedTemplateExpression(n) && isSqlTag(n.tag) && ts.isTemplateExpression(n.template)) {
      for (const span of n.template.templateSpans) {
        const e = span.expression;
        if (ts.isTemplateExpression(e) || isStringConcat(e)) add(e, "a string built inside a sql template");
      }
    }
    if (!insideSqlTemplate && (ts.isTemplateExpression(n) || isStringConcat(n)) && !(n.parent && ts.isTaggedTemplateExpression(n.parent))) {
      if (SQL_TEXT.test(literalText(n))) add(n, "SQL text in a template string or concatenation");
    }
    const inside = insideSqlTemplate || (ts.isTaggedTemplateExpression(n) && isSqlTag(n.tag));
    n.forEachChild((c) => visit(c, inside));
  };
  visit(sf, false);
  // A concatenation nested in another is reported once, at the outermost.
  return out.filter(
    (f, i) =>
      !out.some((g, j) => j !== i && g.file === f.file && g.line === f.line && g.rule === f.rule && g.text.length > f.text.length && g.text.includes(f.text)),
  );
}

export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== "node_modules" && name !== "migrations") out.push(...sourceFiles(p));
    } else if (/\.(ts|tsx|js|mjs)$/.test(name)) out.push(p);
  }
  return out.sort();
}

export function lintTree(root: string, dirs: string[]): SqlFinding[] {
  return dirs.flatMap((d) => sourceFiles(path.join(root, d)).flatMap((f) => lintSource(path.relative(root, f), readFileSync(f, "utf8"))));
}
