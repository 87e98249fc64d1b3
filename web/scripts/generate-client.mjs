// Regenerates src/api/generated/ from the server's OpenAPI document (dumped from create_app()
// in Python, no server started). With --check it generates into a temp dir and fails when the
// committed files differ, so the client can never drift from the server.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const webDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = resolve(webDir, "..");
const committedDir = join(webDir, "src", "api", "generated");
const check = process.argv.includes("--check");

const HEADER =
  "// Generated from the server's OpenAPI document by `npm run generate` (web/scripts/generate-client.mjs).\n" +
  "// Never edit by hand: `make test` fails when this file differs from what the server produces.\n\n";

function dumpOpenApi() {
  const uv = process.env.UV || "uv";
  const text = execFileSync(uv, ["run", "--frozen", "--quiet", "python", join(webDir, "scripts", "dump_openapi.py")], {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: "sqlite+aiosqlite:///:memory:" },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(text);
}

async function generate(outDir) {
  const document = dumpOpenApi();
  const ast = await openapiTS(document, { alphabetize: false, exportType: false });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "schema.ts"), HEADER + astToString(ast));
}

if (check) {
  const tmp = mkdtempSync(join(tmpdir(), "erp-client-"));
  try {
    await generate(tmp);
    const stale = ["schema.ts"].filter((name) => {
      let committed = "";
      try {
        committed = readFileSync(join(committedDir, name), "utf8");
      } catch {
        return true;
      }
      return committed !== readFileSync(join(tmp, name), "utf8");
    });
    if (stale.length) {
      console.error(
        `The generated API client is out of date (${stale.join(", ")} differ from what the server produces).\n` +
          "Run `cd web && npm run generate` and commit src/api/generated/.",
      );
      for (const name of stale) {
        spawnSync("diff", ["-u", join(committedDir, name), join(tmp, name)], { stdio: "inherit" });
      }
      process.exitCode = 1;
    } else {
      console.log("generated API client is up to date");
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
} else {
  await generate(committedDir);
  console.log(`wrote ${committedDir}/schema.ts`);
}
