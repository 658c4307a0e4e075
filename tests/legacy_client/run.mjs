#!/usr/bin/env node
// Drives an HTTP server with Sunbird's own client library (@project-sunbird/client-services)
// so that Tracklog's Python tests can check what a real Sunbird client gets back.
//
// stdin : ONE JSON document (see README.md)
//   {"baseUrl": "http://127.0.0.1:PORT", "apiKey": "...", "userToken": "...",
//    "courseApiPath": "/api/course/v1",            (optional, this is the default)
//    "managedUserToken": "...",                    (optional, sent as X-Authenticated-For)
//    "global": {"channelId", "producerId", "deviceId", "sessionId", "appVersion"},  (optional)
//    "calls": [{"method": "updateContentState" | "getContentState" | "getUserEnrolledCourses",
//               "args": <the library's request object>,
//               "additionalParams": {...}}]}  (getUserEnrolledCourses only: query parameters)
// stdout: ONE JSON document
//   {"results": [{"method", "ok": true, "value"} | {"method", "ok": false, "error": {...}}]}
// exit  : 0 when the input was usable (call failures are reported in the JSON),
//         2 on harness misuse (bad JSON, unknown method, missing fields),
//         1 if the harness itself crashed (e.g. the library failed to load).

import { createRequire } from 'node:module';

// The library is a webpack UMD bundle whose wrapper reads the global `window` at load time.
globalThis.window = globalThis;

const require = createRequire(import.meta.url);
// Load the bundle by file: the package's "main" (dist/index.js) does not exist in the tarball.
const { CsModule } = require('@project-sunbird/client-services/index.js');

const METHODS = new Set(['updateContentState', 'getContentState', 'getUserEnrolledCourses']);

function misuse(message) {
  process.stderr.write(`legacy_client/run.mjs: ${message}\n`);
  process.exit(2);
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validate(input) {
  if (!isObject(input)) misuse('stdin must be a JSON object');
  for (const key of ['baseUrl', 'apiKey', 'userToken']) {
    if (typeof input[key] !== 'string' || input[key] === '') misuse(`"${key}" must be a non-empty string`);
  }
  if (input.courseApiPath !== undefined && typeof input.courseApiPath !== 'string') {
    misuse('"courseApiPath" must be a string');
  }
  if (input.global !== undefined && !isObject(input.global)) misuse('"global" must be an object');
  if (!Array.isArray(input.calls)) misuse('"calls" must be an array');
  input.calls.forEach((call, i) => {
    if (!isObject(call)) misuse(`calls[${i}] must be an object`);
    if (!METHODS.has(call.method)) {
      misuse(`calls[${i}].method must be one of ${[...METHODS].join(', ')}; got ${JSON.stringify(call.method)}`);
    }
    if (!isObject(call.args)) misuse(`calls[${i}].args must be an object (the library's request)`);
    if (call.additionalParams !== undefined) {
      if (call.method !== 'getUserEnrolledCourses') {
        misuse(`calls[${i}].additionalParams is only accepted by getUserEnrolledCourses`);
      }
      if (!isObject(call.additionalParams)) misuse(`calls[${i}].additionalParams must be an object`);
    }
  });
}

// What the library rejects with is one of (its class names are minified in the bundle, so
// `type` below is derived from the error's code / shape):
//  - CsHttpClientError / CsHttpServerError (HTTP 4xx / 5xx): {code, response: CsResponse};
//    CsError is NOT an Error subclass and drops its message;
//  - a bare CsResponse (any other status than 200, e.g. 201 or 204);
//  - CsNetworkError (fetch itself failed, e.g. connection refused): {code: 'NETWORK_ERROR'};
//  - a plain Error/TypeError, e.g. when result.contentList is missing from a 200 answer.
const TYPES_BY_CODE = {
  HTTP_CLIENT_ERROR: 'CsHttpClientError',
  HTTP_SERVER_ERROR: 'CsHttpServerError',
  NETWORK_ERROR: 'CsNetworkError',
};

function describeError(e) {
  const error = {
    type: 'unknown', message: '', code: null, status: null, errorMesg: null, body: null, headers: null,
  };
  if (e instanceof Error) {
    error.type = e.name;
    error.message = e.message;
    return error;
  }
  if (!isObject(e)) {
    error.message = String(e);
    return error;
  }
  error.code = typeof e.code === 'string' ? e.code : null;
  const response = isObject(e.response) ? e.response : ('responseCode' in e ? e : null);
  error.type = TYPES_BY_CODE[error.code] ?? (response === e ? 'CsResponse' : 'unknown');
  if (response) {
    error.status = typeof response.responseCode === 'number' ? response.responseCode : null;
    error.errorMesg = response.errorMesg ?? null;
    error.body = response.body === undefined ? null : response.body;
    error.headers = response.headers === undefined ? null : response.headers;
    error.message = `HTTP ${error.status}`;
  } else {
    error.message = error.code ?? 'error without message';
  }
  return error;
}

async function main() {
  const raw = await readStdin();
  let input;
  try {
    input = JSON.parse(raw);
  } catch (e) {
    misuse(`stdin is not JSON: ${e.message}`);
  }
  validate(input);

  const courseApiPath = input.courseApiPath ?? '/api/course/v1';
  await CsModule.instance.init({
    core: {
      // HttpClientBrowserAdapter: uses the global fetch (Node >= 18 has it).
      httpAdapter: 'HttpClientBrowserAdapter',
      global: { ...(input.global ?? {}) },
      api: {
        host: input.baseUrl.replace(/\/+$/, ''),
        authentication: {
          bearerToken: input.apiKey,
          userToken: input.userToken,
          ...(input.managedUserToken ? { managedUserToken: input.managedUserToken } : {}),
        },
      },
    },
    services: {
      courseServiceConfig: { apiPath: courseApiPath },
    },
  });
  const courseService = CsModule.instance.courseService;

  const results = [];
  for (const call of input.calls) {
    try {
      let observable;
      if (call.method === 'getUserEnrolledCourses') {
        observable = courseService.getUserEnrolledCourses(call.args, call.additionalParams ?? {});
      } else {
        observable = courseService[call.method](call.args);
      }
      const value = await observable.toPromise();
      results.push({ method: call.method, ok: true, value: value === undefined ? null : value });
    } catch (e) {
      results.push({ method: call.method, ok: false, error: describeError(e) });
    }
  }
  process.stdout.write(`${JSON.stringify({ results })}\n`);
}

main().catch((e) => {
  process.stderr.write(`legacy_client/run.mjs: internal failure: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
