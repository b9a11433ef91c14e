// A small client of the suite's gateway for Node.js, on stock packages:
// @connectrpc/connect-node with code that protoc-gen-es generated from
// proto/ (setup.sh). One function, createKommuneClient, gives typed Connect
// clients of every service, over either side of the gateway:
//
//   protocol "connect"  the JSON port (Connect protocol, HTTP/1.1), e.g.
//                       http://127.0.0.1:8080; unary calls only
//   protocol "grpc"     the gRPC port (HTTP/2 without TLS, h2c), e.g.
//                       http://127.0.0.1:8443; unary and streaming calls
//
// with the caller's token or API key on every call, async generators that
// follow next_page_token across pages, and the change feed as a stream.
// Failures are thrown as ConnectError (err.code is a Code, err.rawMessage
// the service's message, which names the field at fault).
//
//   import { createKommuneClient } from "./kommune.mjs";
//   const client = createKommuneClient({
//     baseUrl: "http://127.0.0.1:8080", token: process.env.TOKEN });
//   for await (const policy of client.policies.list()) console.log(policy.name);
import { fileURLToPath } from "node:url";

import { createRegistry } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  Http2SessionManager,
} from "@connectrpc/connect-node";

export { Code, ConnectError };

// The generated code (setup.sh runs buf generate into gen/; not committed).
async function load(path) {
  try {
    return await import(new URL(path, import.meta.url).href);
  } catch (err) {
    const setup = fileURLToPath(new URL("setup.sh", import.meta.url));
    throw new Error(`No generated code (${err.message}); run ${setup}`);
  }
}
const [types, changeFeed, policy, policyService, hearing, treatment, hearingService,
       indicator, report, followupService, journal, esdhService] = await Promise.all([
  "./gen/kommune/common/v1/types_pb.js",
  "./gen/kommune/common/v1/change_feed_pb.js",
  "./gen/kommune/policy/v1/policy_pb.js",
  "./gen/kommune/policy/v1/policy_service_pb.js",
  "./gen/kommune/hearing/v1/hearing_pb.js",
  "./gen/kommune/hearing/v1/treatment_pb.js",
  "./gen/kommune/hearing/v1/hearing_service_pb.js",
  "./gen/kommune/followup/v1/indicator_pb.js",
  "./gen/kommune/followup/v1/report_pb.js",
  "./gen/kommune/followup/v1/followup_service_pb.js",
  "./gen/kommune/esdh/v1/journal_pb.js",
  "./gen/kommune/esdh/v1/esdh_service_pb.js",
].map(load));

// The generated messages, enums and services by proto package, e.g.
// pb.policy.PolicyState.DRAFT, pb.hearing.HearingSchema.
export const pb = {
  common: { ...types, ...changeFeed },
  policy: { ...policy, ...policyService },
  hearing: { ...hearing, ...treatment, ...hearingService },
  followup: { ...indicator, ...report, ...followupService },
  esdh: { ...journal, ...esdhService },
};

// Every message of the contracts, so that google.protobuf.Any payloads (the
// change feed's) read and write in JSON and unpack.
export const registry = createRegistry(
  ...Object.values(pb).flatMap((pkg) =>
    Object.entries(pkg).filter(([key]) => key.startsWith("file_")).map(([, file]) => file)),
);

// The name of an enum value, e.g. enumName(pb.policy.PolicyStateSchema, 1)
// is "POLICY_STATE_DRAFT".
export function enumName(schema, value) {
  return schema.values.find((v) => v.number === value)?.name ?? String(value);
}

// A change feed event's payload as its message (a Policy, ...), or
// undefined when it has none.
export function unpackPayload(event) {
  return event.payload ? anyUnpack(event.payload, registry) : undefined;
}

// Today in Denmark (Europe/Copenhagen) as a kommune.common.v1.Date init.
export function copenhagenToday(now = new Date()) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone: "Europe/Copenhagen", year: "numeric", month: "2-digit", day: "2-digit",
    }).formatToParts(now).map((p) => [p.type, p.value]));
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day) };
}

// A Date n days later (calendar arithmetic; no time zone involved).
export function addDays(date, days) {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

// "YYYY-MM-DD" of a Date.
export function isoDate(date) {
  const pad = (n, w) => String(n).padStart(w, "0");
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

// Calls `method` with `request` and then with each next_page_token until
// one is empty, yielding the items in `field` of every page.
export async function* paginate(method, request, field, callOptions) {
  let pageToken = request.pageToken ?? "";
  for (;;) {
    const page = await method({ ...request, pageToken }, callOptions);
    yield* page[field];
    if (!page.nextPageToken) return;
    pageToken = page.nextPageToken;
  }
}

// Options:
//   baseUrl       the gateway's JSON port (connect) or gRPC port (grpc)
//   protocol      "connect" (default) or "grpc"
//   token         a bearer token; or
//   apiKey        an API key (x-api-key); neither: anonymous
//   municipality  the code for default parents and short names ("169")
//   binary        connect only: application/proto instead of JSON
//   timeoutMs     default deadline of unary calls (30000)
export function createKommuneClient(options) {
  const {
    baseUrl, protocol = "connect", token, apiKey, municipality = "169",
    binary = false, timeoutMs = 30000,
  } = options;
  if (!baseUrl) throw new TypeError("createKommuneClient: baseUrl is required");
  if (protocol !== "connect" && protocol !== "grpc") {
    throw new TypeError(`createKommuneClient: protocol "${protocol}"; use "connect" or "grpc"`);
  }
  // gRPC clients made by withCredentials share one HTTP/2 connection.
  const sessionManager = protocol === "grpc"
    ? options.sessionManager ?? new Http2SessionManager(baseUrl)
    : undefined;
  const interceptors = [
    (next) => async (req) => {
      if (token) req.header.set("Authorization", `Bearer ${token}`);
      if (apiKey) req.header.set("x-api-key", apiKey);
      return next(req);
    },
  ];
  const transport = protocol === "grpc"
    ? createGrpcTransport({
        baseUrl, sessionManager, interceptors, defaultTimeoutMs: timeoutMs,
        jsonOptions: { registry },
      })
    : createConnectTransport({
        baseUrl, httpVersion: "1.1", useBinaryFormat: binary, interceptors,
        defaultTimeoutMs: timeoutMs, jsonOptions: { registry },
      });
  const parent = `municipalities/${municipality}`;
  // A full resource name from a short id in this municipality.
  const nameIn = (collection) => (id) => (id.includes("/") ? id : `${parent}/${collection}/${id}`);
  const withParent = (request) => ({ parent, ...request });

  const policies = createClient(pb.policy.PolicyService, transport);
  Object.assign(policies, {
    name: nameIn("policies"),
    // Every policy of the municipality the caller may see, across pages.
    list: (request = {}, callOptions) =>
      paginate(policies.listPolicies, withParent({ pageSize: 100, ...request }), "policies", callOptions),
    search: (query, request = {}, callOptions) =>
      paginate(policies.searchPolicies, withParent({ query, ...request }), "results", callOptions),
    revisions: (name, request = {}, callOptions) =>
      paginate(policies.listPolicyRevisions, { name: policies.name(name), ...request }, "policies",
               callOptions),
  });

  const hearings = createClient(pb.hearing.HearingService, transport);
  Object.assign(hearings, {
    name: nameIn("hearings"),
    list: (request = {}, callOptions) =>
      paginate(hearings.listHearings, withParent({ pageSize: 100, ...request }), "hearings",
               callOptions),
    responses: (hearing, request = {}, callOptions) =>
      paginate(hearings.listResponses, { parent: hearings.name(hearing), pageSize: 100, ...request },
               "responses", callOptions),
  });

  const treatmentClient = createClient(pb.hearing.TreatmentService, transport);

  const followup = createClient(pb.followup.FollowUpService, transport);
  Object.assign(followup, {
    name: nameIn("indicators"),
    reportName: nameIn("followUpReports"),
    indicators: (request = {}, callOptions) =>
      paginate(followup.listIndicators, withParent({ pageSize: 200, ...request }), "indicators",
               callOptions),
    measurements: (indicatorName, request = {}, callOptions) =>
      paginate(followup.listMeasurements, { parent: followup.name(indicatorName), ...request },
               "measurements", callOptions),
    reports: (request = {}, callOptions) =>
      paginate(followup.listFollowUpReports, withParent({ pageSize: 100, ...request }),
               "followUpReports", callOptions),
  });

  // Through the gateway, the change feed is the policy service's.
  const feed = createClient(pb.common.ChangeFeedService, transport);
  Object.assign(feed, {
    // The events after `afterSequence`, oldest first, up to the newest.
    list: (request = {}, callOptions) =>
      paginate(feed.listEvents, withParent({ pageSize: 500, ...request }), "events", callOptions),
    // gRPC only: each event after `afterSequence` as it is committed, until
    // the loop stops (break), `signal` aborts or `timeoutMs` passes, when
    // the generator simply ends.
    async *watch({ afterSequence = 0n, timeoutMs, signal, parent: where } = {}) {
      // Aborted when the loop stops early, which ends the call and its
      // deadline timer (that would otherwise keep Node running).
      const stop = new AbortController();
      const abort = () => stop.abort(signal?.reason);
      signal?.addEventListener("abort", abort);
      const responses = feed.watchEvents(
        { parent: where ?? parent, afterSequence: BigInt(afterSequence) },
        { timeoutMs: timeoutMs ?? 0, signal: stop.signal })[Symbol.asyncIterator]();
      let ended = false;
      try {
        for (;;) {
          const { value, done } = await responses.next();
          if (done) break;
          yield value.event;
        }
        ended = true;
      } catch (err) {
        ended = true;
        if (timeoutMs && ConnectError.from(err).code === Code.DeadlineExceeded) return;
        throw err;
      } finally {
        signal?.removeEventListener("abort", abort);
        if (!ended) {
          // The loop stopped early: abort the call, and read once more so
          // that Connect sees the abort and clears the call's deadline timer
          // (which would otherwise keep Node running until it fires).
          stop.abort();
          await responses.next().catch(() => {});
        }
      }
    },
  });

  const esdh = createClient(pb.esdh.EsdhConnectorService, transport);

  return {
    protocol,
    baseUrl,
    municipality,
    parent,
    transport,
    policies,
    hearings,
    treatment: treatmentClient,
    followup,
    changeFeed: feed,
    esdh,
    // Another caller on the same connection (anonymous with neither).
    withCredentials({ token: otherToken, apiKey: otherKey } = {}) {
      return createKommuneClient({
        ...options, token: otherToken, apiKey: otherKey, sessionManager,
      });
    },
    anonymous() {
      return this.withCredentials({});
    },
    // Closes the HTTP/2 connection (gRPC); HTTP/1.1 needs nothing.
    close() {
      sessionManager?.abort();
    },
  };
}
