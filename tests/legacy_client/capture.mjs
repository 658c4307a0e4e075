#!/usr/bin/env node
// Self-check of the harness, and the source of the wire format in README.md.
//
// Starts a stub HTTP server on 127.0.0.1 (random port) that records every request and answers
// with Sunbird-shaped envelopes (or the error a scenario asks for), runs run.mjs against it and
// prints, per scenario, what the library sent and what run.mjs returned.
//
//   node tests/legacy_client/capture.mjs            # all scenarios, JSON on stdout
//   node tests/legacy_client/capture.mjs --check    # also assert the expected outcomes; exit 1 if not
//
// Nothing here talks to anything but 127.0.0.1.

import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import assert from 'node:assert/strict';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const API_KEY = 'gateway-api-key';
const USER_TOKEN = 'learner-token';

function envelope(id, result, { status = 'success', responseCode = 'OK', err = null, errmsg = null } = {}) {
  return {
    id,
    ver: 'v1',
    ts: '2020-11-27 14:07:27:025+0000',
    params: { resmsgid: null, msgid: '8e27cbf5-e299-43b0-bca7-8347f7e5abcf', err, status, errmsg },
    responseCode,
    result,
  };
}

const CONTENT_LIST = [
  {
    contentId: 'do_c1', courseId: 'do_course', batchId: 'b1', userId: 'u1', collectionId: 'do_course',
    status: 2, progress: 100, viewCount: 2, completedCount: 1,
    lastAccessTime: '2020-11-27 14:07:27:025+0000', lastCompletedTime: '2020-11-27 14:07:27:025+0000',
    score: [
      { attemptId: 'a1', lastAttemptedOn: '2020-11-27 14:00:00:000+0000', totalMaxScore: 10, totalScore: 4 },
      { attemptId: 'a2', lastAttemptedOn: '2020-11-27 14:05:00:000+0000', totalMaxScore: 10, totalScore: 9 },
      { attemptId: 'a3', lastAttemptedOn: '2020-11-27 14:06:00:000+0000', totalMaxScore: 10, totalScore: 9 },
    ],
  },
  { contentId: 'do_c2', courseId: 'do_course', batchId: 'b1', userId: 'u1', status: 1, progress: 50 },
];

const COURSES = [
  {
    courseId: 'do_course', batchId: 'b1', userId: 'u1', contentId: 'do_course', active: true, status: 1,
    completionPercentage: 50, progress: 1, leafNodesCount: 2, enrolledDate: '2020-11-27 14:07:27:025+0000',
    courseName: 'Course', dateTime: 1606486047025,
    batch: { batchId: 'b1', name: 'Batch', status: 1, enrollmentType: 'open', startDate: '2020-11-01', endDate: null },
    issuedCertificates: [], contentStatus: { do_c1: 2, do_c2: 1 },
  },
];

// Routes answered in the default (happy) mode.
function happy(req) {
  const url = new URL(req.url, 'http://stub');
  if (req.method === 'PATCH' && url.pathname === '/api/course/v1/content/state/update') {
    return [200, envelope('api.content.state.update', { do_c1: 'SUCCESS' })];
  }
  if (req.method === 'POST' && url.pathname === '/api/course/v1/content/state/read') {
    return [200, envelope('api.content.state.read', { contentList: structuredClone(CONTENT_LIST) })];
  }
  if (req.method === 'POST' && url.pathname === '/api/course/v1/user/enrollment/list') {
    return [200, envelope('api.user.courses.list', { courses: structuredClone(COURSES) })];
  }
  return [404, envelope('api.error', {}, {
    status: 'failed', responseCode: 'RESOURCE_NOT_FOUND', err: 'NOT_FOUND', errmsg: 'no route',
  })];
}

const UPDATE_ARGS = {
  userId: 'u1', courseId: 'do_course', batchId: 'b1', contentId: 'do_c1', status: 2,
};
const LMS_UPDATE_ARGS = {
  userId: 'u1',
  contents: [
    { contentId: 'do_c1', courseId: 'do_course', batchId: 'b1', status: 2, lastAccessTime: '2020-11-27 14:07:27:025+0000' },
    { contentId: 'do_c2', courseId: 'do_course', batchId: 'b1', status: 1, progress: 50 },
  ],
  assessments: [],
};
const READ_ARGS = {
  userId: 'u1', courseId: 'do_course', batchId: 'b1', contentIds: ['do_c1', 'do_c2'], fields: ['progress', 'score'],
};
const LIST_ARGS = { userId: 'u1' };
const LIST_PARAMS = { orgdetails: 'orgName,email', fields: 'contentType,topic,name,channel', batchDetails: 'name,endDate,startDate,status,enrollmentType,createdBy,certificates' };

const ALL_CALLS = [
  { method: 'updateContentState', args: UPDATE_ARGS },
  { method: 'getContentState', args: READ_ARGS },
  { method: 'getUserEnrolledCourses', args: LIST_ARGS, additionalParams: LIST_PARAMS },
];

const failEnvelope = envelope('api.content.state.read', {}, {
  status: 'failed', responseCode: 'CLIENT_ERROR', err: 'INVALID_REQUESTED_DATA', errmsg: 'bad request',
});

// Each scenario: how the stub answers, which calls run.mjs makes, and (for --check) what to expect.
const SCENARIOS = [
  {
    name: 'happy',
    answer: happy,
    calls: ALL_CALLS,
    check(results) {
      assert.deepEqual(results[0], { method: 'updateContentState', ok: true, value: { do_c1: 'SUCCESS' } });
      assert.equal(results[1].ok, true);
      assert.equal(results[1].value.length, 2);
      assert.equal(results[1].value[0].bestScore.attemptId, 'a2', 'first max wins on ties');
      assert.equal('bestScore' in results[1].value[1], false, 'no score -> no bestScore');
      assert.deepEqual(results[2], { method: 'getUserEnrolledCourses', ok: true, value: COURSES });
    },
    wire(captured) {
      assert.equal(captured[0].method, 'PATCH');
      assert.equal(captured[0].url, '/api/course/v1/content/state/update');
      assert.deepEqual(captured[0].body, { request: UPDATE_ARGS });
      assert.equal(captured[1].method, 'POST');
      assert.equal(captured[1].url, '/api/course/v1/content/state/read');
      assert.deepEqual(captured[1].body, { request: READ_ARGS });
      assert.equal(captured[2].method, 'POST');
      // additionalParams (orgdetails/fields/batchDetails) never reach the wire for a POST.
      assert.equal(captured[2].url, '/api/course/v1/user/enrollment/list');
      assert.deepEqual(captured[2].body, { request: LIST_ARGS });
      for (const req of captured) {
        assert.equal(req.headers['Content-Type'], 'application/json');
        assert.equal(req.headers.Accept, 'application/json');
      }
    },
  },
  {
    // The request object is not validated or reshaped: lms-service's own batch shape goes through.
    name: 'update-lms-batch-shape',
    answer: () => [200, envelope('api.content.state.update', { do_c1: 'SUCCESS', do_c2: 'SUCCESS' })],
    calls: [{ method: 'updateContentState', args: LMS_UPDATE_ARGS }],
    check([r], captured) {
      assert.deepEqual(r.value, { do_c1: 'SUCCESS', do_c2: 'SUCCESS' });
      assert.deepEqual(captured[0].body, { request: LMS_UPDATE_ARGS });
    },
  },
  {
    name: 'optional-headers',
    input: {
      managedUserToken: 'managed-token',
      courseApiPath: '/learner/course/v1',
      global: { channelId: 'ch', producerId: 'prod', deviceId: 'dev', sessionId: 'sess', appVersion: '1.0' },
    },
    answer: (req) => [200, envelope('api.content.state.update', { do_c1: 'SUCCESS' })],
    calls: [ALL_CALLS[0]],
    check([r], captured) {
      assert.equal(r.ok, true);
      assert.equal(captured[0].url, '/learner/course/v1/content/state/update');
      const h = captured[0].headers;
      assert.equal(h['X-Authenticated-For'], 'managed-token');
      assert.equal(h['X-Channel-Id'], 'ch');
      assert.equal(h['X-App-Id'], 'prod');
      assert.equal(h['X-Device-Id'], 'dev');
      assert.equal(h['X-Session-Id'], 'sess');
      assert.equal(h['X-App-Ver'], '1.0');
    },
  },
  {
    name: 'http-400-sunbird-error',
    answer: () => [400, failEnvelope],
    calls: [ALL_CALLS[1]],
    check([r]) {
      assert.equal(r.ok, false);
      assert.equal(r.error.status, 400);
      assert.equal(r.error.type, 'CsHttpClientError');
      assert.equal(r.error.code, 'HTTP_CLIENT_ERROR');
      assert.deepEqual(r.error.body, failEnvelope);
    },
  },
  {
    name: 'http-401-text',
    answer: () => [401, 'Unauthorized'],
    calls: [ALL_CALLS[0]],
    check([r]) {
      assert.equal(r.error.status, 401);
      assert.equal(r.error.code, 'HTTP_CLIENT_ERROR');
      assert.equal(r.error.body, 'Unauthorized');
    },
  },
  {
    name: 'http-500',
    answer: () => [500, envelope('api.content.state.update', {}, { status: 'failed', responseCode: 'SERVER_ERROR', err: 'INTERNAL_ERROR', errmsg: 'boom' })],
    calls: [ALL_CALLS[0]],
    check([r]) {
      assert.equal(r.error.status, 500);
      assert.equal(r.error.type, 'CsHttpServerError');
      assert.equal(r.error.code, 'HTTP_SERVER_ERROR');
    },
  },
  {
    name: 'http-200-params-failed',
    answer: () => [200, envelope('api.content.state.read', { contentList: [] }, { status: 'failed', responseCode: 'CLIENT_ERROR', err: 'X', errmsg: 'x' })],
    calls: [ALL_CALLS[1]],
    check([r]) {
      assert.deepEqual(r, { method: 'getContentState', ok: true, value: [] }, 'params.status is ignored');
    },
  },
  {
    name: 'http-201',
    answer: (req) => [201, happy(req)[1]],
    calls: [ALL_CALLS[0]],
    check([r]) {
      assert.equal(r.ok, false, 'only 200 is success');
      assert.equal(r.error.status, 201);
      assert.equal(r.error.type, 'CsResponse');
      assert.equal(r.error.code, null);
    },
  },
  {
    name: 'http-200-missing-result-fields',
    answer: (req) => [200, envelope('x', {})],
    calls: ALL_CALLS,
    check(results) {
      assert.deepEqual(results[0], { method: 'updateContentState', ok: true, value: {} });
      assert.equal(results[1].ok, false);
      assert.equal(results[1].error.type, 'TypeError');
      assert.deepEqual(results[2], { method: 'getUserEnrolledCourses', ok: true, value: null }, 'undefined courses -> null');
    },
  },
  {
    name: 'http-200-not-json',
    answer: () => [200, 'not json'],
    calls: [ALL_CALLS[0]],
    check([r]) {
      assert.equal(r.ok, true, 'body stays a string, result is undefined');
      assert.equal(r.value, null);
    },
  },
];

async function runHarness(input) {
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(HERE, 'run.mjs')], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
    child.stdin.end(JSON.stringify(input));
  });
}

async function runScenario(scenario) {
  const captured = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      let parsed = body;
      try { parsed = body === '' ? null : JSON.parse(body); } catch { /* keep text */ }
      const headers = {};
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers[req.rawHeaders[i]] = req.rawHeaders[i + 1];
      captured.push({ method: req.method, url: req.url, headers, body: parsed });
      const [status, answer] = scenario.answer(req);
      const text = typeof answer === 'string' ? answer : JSON.stringify(answer);
      res.writeHead(status, { 'Content-Type': typeof answer === 'string' ? 'text/plain' : 'application/json' });
      res.end(text);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  try {
    const run = await runHarness({
      baseUrl: `http://127.0.0.1:${port}`, apiKey: API_KEY, userToken: USER_TOKEN, calls: scenario.calls,
      ...(scenario.input ?? {}),
    });
    if (run.code !== 0) throw new Error(`run.mjs exited ${run.code}: ${run.err}`);
    return { name: scenario.name, captured, results: JSON.parse(run.out).results };
  } finally {
    server.close();
  }
}

async function main() {
  const check = process.argv.includes('--check');
  const report = [];
  let failed = 0;
  for (const scenario of SCENARIOS) {
    const outcome = await runScenario(scenario);
    if (check) {
      try {
        assert.equal(outcome.results.length, scenario.calls.length);
        assert.equal(outcome.captured.length, scenario.calls.length);
        for (const req of outcome.captured) {
          assert.equal(req.headers.Authorization, `Bearer ${API_KEY}`);
          assert.equal(req.headers['X-Authenticated-User-Token'], USER_TOKEN);
        }
        scenario.check(outcome.results, outcome.captured);
        if (scenario.wire) scenario.wire(outcome.captured);
        outcome.check = 'passed';
      } catch (e) {
        failed += 1;
        outcome.check = `FAILED: ${e.message}`;
      }
    }
    report.push(outcome);
  }
  // A server that is not there: the library's network error.
  const refused = await runHarness({
    baseUrl: 'http://127.0.0.1:9', apiKey: API_KEY, userToken: USER_TOKEN, calls: [ALL_CALLS[0]],
  });
  const refusedOutcome = { name: 'connection-refused', captured: [], results: JSON.parse(refused.out).results };
  if (check) {
    try {
      assert.equal(refusedOutcome.results[0].ok, false);
      assert.equal(refusedOutcome.results[0].error.code, 'NETWORK_ERROR');
      assert.equal(refusedOutcome.results[0].error.type, 'CsNetworkError');
      refusedOutcome.check = 'passed';
    } catch (e) {
      failed += 1;
      refusedOutcome.check = `FAILED: ${e.message}`;
    }
  }
  report.push(refusedOutcome);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (check) {
    process.stderr.write(`${report.length - failed} passed, ${failed} failed\n`);
    process.exit(failed ? 1 : 0);
  }
}

await main();
