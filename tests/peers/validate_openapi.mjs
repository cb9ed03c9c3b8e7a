// Validates an OpenAPI document (a JSON file) against the OpenAPI 3.x schema and its rules
// (unique operation ids, resolvable $refs, declared path parameters) with swagger-parser.
// Usage: node validate_openapi.mjs <file>. Exits 0 when valid, 1 with the messages when not.
import SwaggerParser from "@apidevtools/swagger-parser";

const [file] = process.argv.slice(2);
if (!file) {
  console.error("usage: node validate_openapi.mjs <openapi.json>");
  process.exit(2);
}
try {
  const api = await SwaggerParser.validate(file);
  console.log(`valid OpenAPI ${api.openapi}: ${Object.keys(api.paths ?? {}).length} paths`);
} catch (e) {
  console.error(e.message);
  if (e.details) console.error(JSON.stringify(e.details, null, 2));
  process.exit(1);
}
