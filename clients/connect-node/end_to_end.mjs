// End to end through the gateway with kommune.mjs, once over each side of
// it: the Connect protocol with JSON over HTTP/1.1 (createConnectTransport)
// and gRPC over h2c (createGrpcTransport). Each time, a policy's way
// through the suite, each step as the person who does it:
//   1. an editor imports domain/001 (plain text) as a draft;
//   2. an integration reads the change feed (ListEvents) and, on gRPC,
//      starts watching it (WatchEvents, with a deadline);
//   3. a secretary plans a public hearing of that revision, open from today
//      for three weeks (Europe/Copenhagen), and opens it;
//   4. a citizen, without a token, answers anonymously;
//   5. an analyst turns a proposed indicator into one, records three years
//      of values, makes and publishes the follow-up report, which the
//      public then exports as HTML;
//   6. the change feed holds the policy's events in order.
//
// Environment:
//   GATEWAY_URL        the JSON port, e.g. http://127.0.0.1:8080
//   GATEWAY_GRPC_URL   the gRPC port, e.g. http://127.0.0.1:8443
//   EDITOR_TOKEN, SECRETARY_TOKEN, ANALYST_TOKEN
//                      tokens with these roles in MUNICIPALITY; each falls
//                      back on TOKEN (tools/run.sh prints one)
//   INTEGRATION_TOKEN  for the change feed; default the analyst's
//   MUNICIPALITY       default 169
//   PROTOCOLS          default "connect,grpc"
//
// Prints one JSON line with what it saw; exits 1 on any mismatch or error
// (2 when the client is not set up).
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";

let kommune;
try {
  kommune = await import("./kommune.mjs");
} catch (err) {
  console.error(err.message);
  process.exit(2);
}
const { Code, ConnectError, addDays, copenhagenToday, createKommuneClient, enumName, isoDate, pb,
        unpackPayload } = kommune;

const env = process.env;
const urls = { connect: env.GATEWAY_URL, grpc: env.GATEWAY_GRPC_URL };
const tokens = {
  editor: env.EDITOR_TOKEN || env.TOKEN,
  secretary: env.SECRETARY_TOKEN || env.TOKEN,
  analyst: env.ANALYST_TOKEN || env.TOKEN,
};
tokens.integration = env.INTEGRATION_TOKEN || tokens.analyst;
const municipality = env.MUNICIPALITY || "169";
const protocols = (env.PROTOCOLS || "connect,grpc").split(",").filter(Boolean);
const documentPath = new URL("../../fixtures/domain/001_e954513d7125136f.txt", import.meta.url);
// Three years of new ethnic entrepreneurs: 32 of the 40 the policy asks for.
const VALUES = [["2007", 12], ["2008", 11], ["2009", 9]];

class Mismatch extends Error {}

function expect(condition, what, actual) {
  if (!condition) throw new Mismatch(`${what} (got ${JSON.stringify(actual, bigints)})`);
}

function bigints(_key, value) {
  return typeof value === "bigint" ? value.toString() : value;
}

async function collect(iterable) {
  const all = [];
  for await (const item of iterable) all.push(item);
  return all;
}

// The whole flow over one protocol; returns what it saw.
async function run(protocol, seen) {
  const { PolicyState, PolicyStateSchema, DocumentFormat } = pb.policy;
  const { HearingKind, HearingState, HearingStateSchema, ResponseState } = pb.hearing;
  const { Aggregation, IndicatorKindSchema, ReportFormat, ReportState, ReportStateSchema } =
    pb.followup;

  const publicClient = createKommuneClient({ baseUrl: urls[protocol], protocol, municipality });
  const editor = publicClient.withCredentials({ token: tokens.editor });
  const secretary = publicClient.withCredentials({ token: tokens.secretary });
  const analyst = publicClient.withCredentials({ token: tokens.analyst });
  const integration = publicClient.withCredentials({ token: tokens.integration });
  const suffix = `${protocol}-${randomBytes(4).toString("hex")}`;
  try {
    // 1. The editor imports the document as a draft.
    seen.step = "import";
    const imported = await editor.policies.importPolicy({
      parent: editor.parent,
      policyId: `node-${suffix}`,
      format: DocumentFormat.PLAIN_TEXT,
      document: await readFile(documentPath),
      requestId: `node-import-${suffix}`,
    });
    const policy = imported.policy;
    const name = editor.policies.name(`node-${suffix}`);
    expect(policy?.name === name, `ImportPolicy name should be ${name}`, policy?.name);
    expect(policy.state === PolicyState.DRAFT, "an imported policy is a draft",
           enumName(PolicyStateSchema, policy.state));
    expect(policy.revisionId !== "", "ImportPolicy should give a revision id", policy.revisionId);
    expect((policy.content?.focusAreas ?? []).length > 0, "the policy should have focus areas", 0);
    const listed = await collect(editor.policies.list({ pageSize: 1 }));
    expect(listed.some((p) => p.name === name), "the paged list should hold the new policy",
           listed.map((p) => p.name));
    Object.assign(seen, { policy: name, revision: policy.revisionId, title: policy.displayName,
                          listed: listed.length });

    // 2. The change feed so far; on gRPC, a watch from its end.
    seen.step = "change feed";
    const before = await collect(integration.changeFeed.list());
    const created = before.filter((e) => e.resource === name).map((e) => e.type);
    expect(created.length === 1 && created[0] === "policy.created",
           "the feed should hold the import as policy.created", created);
    const last = before.reduce((max, e) => (e.sequence > max ? e.sequence : max), 0n);
    let watching;
    if (protocol === "grpc") {
      // Started now, read after the hearing opens: events after `last`.
      const stream = integration.changeFeed.watch({ afterSequence: last, timeoutMs: 20000 });
      watching = (async () => {
        const types = [];
        for await (const event of stream) {
          types.push(event.type);
          if (event.resource === name && event.type === "policy.sent_to_hearing") {
            const payload = unpackPayload(event);
            expect(payload?.$typeName === "kommune.policy.v1.Policy" &&
                   payload.state === PolicyState.IN_HEARING,
                   "the event's payload should be the policy in hearing", payload?.$typeName);
            break;
          }
        }
        return types;
      })();
      watching.catch(() => {});  // awaited below
    }

    // 3. The secretary plans and opens a public hearing of the revision.
    seen.step = "hearing";
    const today = copenhagenToday();
    const deadline = addDays(today, 21);
    const revision = `${name}@${policy.revisionId}`;
    let hearing = await secretary.hearings.createHearing({
      parent: secretary.parent,
      hearingId: `offentlig-${suffix}`,
      hearing: {
        displayName: "Offentlig høring af integrationspolitikken",
        policyRevision: revision,
        kind: HearingKind.PUBLIC,
        letter: { text: "Byrådet sender forslaget til integrationspolitik i offentlig høring." },
        openDate: today,
        deadline,
      },
      requestId: `node-hearing-${suffix}`,
    });
    expect(hearing.state === HearingState.PLANNED, "a new hearing is planned",
           enumName(HearingStateSchema, hearing.state));
    expect(hearing.policyRevision === revision, "the hearing should be of the imported revision",
           hearing.policyRevision);
    hearing = await secretary.hearings.openHearing({ name: hearing.name, etag: hearing.etag });
    expect(hearing.state === HearingState.OPEN, "OpenHearing should open it",
           enumName(HearingStateSchema, hearing.state));
    const inHearing = await editor.policies.getPolicy({ name });
    expect(inHearing.state === PolicyState.IN_HEARING,
           "opening the hearing should send the policy to hearing",
           enumName(PolicyStateSchema, inHearing.state));
    Object.assign(seen, {
      hearing: hearing.name,
      hearingState: enumName(HearingStateSchema, hearing.state),
      openDate: isoDate(hearing.openDate),
      deadline: isoDate(hearing.deadline),
      policyState: enumName(PolicyStateSchema, inHearing.state),
    });
    if (watching) {
      seen.step = "watch";
      const types = await watching;
      expect(types.includes("policy.sent_to_hearing"),
             "WatchEvents should stream the policy going to hearing", types);
      seen.watched = types;
    }

    // 4. A citizen answers, without signing in, anonymously.
    seen.step = "response";
    const response = await publicClient.hearings.submitResponse({
      parent: hearing.name,
      response: {
        text: "Godt forslag; husk fritidslivet for de unge.",
        responder: { displayName: "Borger i Høje-Taastrup", anonymous: true, consent: true },
      },
      requestId: `node-response-${suffix}`,
    });
    expect(response.name.startsWith(`${hearing.name}/responses/`),
           "the response should belong to the hearing", response.name);
    expect(response.state === ResponseState.SUBMITTED, "the response should be submitted",
           response.state);
    expect(!response.late, "a response on the first day is not late", response.late);
    const responses = await collect(secretary.hearings.responses(hearing.name));
    expect(responses.length === 1 && responses[0].name === response.name,
           "the secretary should see the one response", responses.map((r) => r.name));
    expect(responses[0].responder?.anonymous === true, "the response should stay anonymous",
           responses[0].responder);
    Object.assign(seen, { response: response.name,
                          responseAnonymous: responses[0].responder.anonymous });

    // 5. The analyst's follow-up: indicator, values, report.
    seen.step = "indicator";
    const { proposals } = await analyst.followup.proposeIndicators({ policyName: name });
    const chosen = proposals.find((p) =>
      p.indicator?.criteria[0]?.criterionText.includes("iværksættere"));
    expect(chosen !== undefined, "a proposal should count ethnic entrepreneurs (iværksættere)",
           proposals.map((p) => p.indicatorId));
    // The proposal, as a plain init (without its $typeName), with what the
    // text does not say.
    const { $typeName, ...proposed } = chosen.indicator;
    const indicator = await analyst.followup.createIndicator({
      parent: analyst.parent,
      indicatorId: `ivaerksaettere-${suffix}`,
      indicator: {
        ...proposed,
        displayName: "Etniske iværksættere etableret",
        aggregation: Aggregation.SUM,
        ownerCommittee: { displayName: "Erhvervsudvalget" },
        dataSource: "Erhvervsservice",
        followUpPeriod: {
          startDate: { year: 2007, month: 1, day: 1 },
          endDate: { year: 2011, month: 12, day: 31 },
        },
      },
      requestId: `node-indicator-${suffix}`,
    });
    expect(indicator.criteria[0]?.policyName === name,
           "the indicator should measure the policy's criterion", indicator.criteria[0]?.policyName);

    seen.step = "measurements";
    const { measurements: recorded } = await analyst.followup.batchRecordMeasurements({
      parent: analyst.parent,
      requests: VALUES.map(([period, value]) => ({
        indicatorName: indicator.name,
        measurement: { period, value, source: "Erhvervsservice" },
      })),
      requestId: `node-values-${suffix}`,
    });
    expect(recorded.map((m) => m.period).join() === VALUES.map(([p]) => p).join(),
           "BatchRecordMeasurements should record every year", recorded.map((m) => m.period));
    const stored = await collect(analyst.followup.measurements(indicator.name, { pageSize: 2 }));
    expect(stored.map((m) => `${m.period}=${m.value}`).join() ===
           VALUES.map(([p, v]) => `${p}=${v}`).join(),
           "ListMeasurements should page through the values",
           stored.map((m) => `${m.period}=${m.value}`));
    const status = await analyst.followup.getIndicatorStatus({
      name: indicator.name, asOf: { year: 2009, month: 12, day: 31 },
    });
    const total = VALUES.reduce((sum, [, v]) => sum + v, 0);
    expect(status.latestValue === total, "the values should add up", status.latestValue);
    Object.assign(seen, {
      indicator: indicator.name,
      indicatorKind: enumName(IndicatorKindSchema, indicator.kind),
      measurements: stored.length,
      latestValue: status.latestValue,
      targetValue: status.targetValue,
    });

    seen.step = "report";
    const report = await analyst.followup.createFollowUpReport({
      parent: analyst.parent,
      followUpReportId: `redegoerelse-${suffix}`,
      followUpReport: {
        policyName: name,
        displayName: "Årlig redegørelse 2010",
        asOf: { year: 2010, month: 3, day: 1 },
      },
      requestId: `node-report-${suffix}`,
    });
    expect(report.state === ReportState.DRAFT, "a new report is a draft",
           enumName(ReportStateSchema, report.state));
    expect(report.totals?.total === 1, "the report counts the one indicator", report.totals?.total);
    let draftRefused;
    try {
      await publicClient.followup.exportFollowUpReport({ name: report.name });
    } catch (err) {
      draftRefused = Code[ConnectError.from(err).code];
    }
    expect(draftRefused === "Unauthenticated", "the public should be told to sign in for a draft",
           draftRefused ?? "success");
    const published = await analyst.followup.publishFollowUpReport({ name: report.name });
    expect(published.state === ReportState.PUBLISHED, "PublishFollowUpReport should publish",
           enumName(ReportStateSchema, published.state));
    const page = await publicClient.followup.exportFollowUpReport({
      name: report.name, format: ReportFormat.HTML,
    });
    expect(page.mediaType.startsWith("text/html"), "the export should be HTML", page.mediaType);
    expect(page.document.includes("<svg"), "the page should have charts", page.document.length);
    expect(page.document.includes("Etniske iværksættere etableret"),
           "the page should name the indicator", page.document.length);
    Object.assign(seen, {
      report: published.name,
      reportState: enumName(ReportStateSchema, published.state),
      reportTotal: published.totals?.total,
      draftRefused,
      exportMediaType: page.mediaType,
      exportBytes: Buffer.byteLength(page.document),
    });

    // 6. The policy's events in the feed, oldest first.
    seen.step = "events";
    const events = (await collect(integration.changeFeed.list({ pageSize: 2 })))
      .filter((e) => e.resource === name);
    const types = events.map((e) => e.type);
    expect(types.join() === "policy.created,policy.sent_to_hearing",
           "the feed should hold the import and the hearing", types);
    expect(events.every((e, i) => i === 0 || events[i - 1].sequence < e.sequence),
           "events should come oldest first", events.map((e) => e.sequence));
    seen.events = types;
    delete seen.step;
  } finally {
    publicClient.close();
  }
}

async function main() {
  const summary = { ok: false, client: "node", municipality, gateway: urls, protocols: {} };
  let protocol = "";
  try {
    for (protocol of protocols) {
      if (!(protocol in urls)) throw new Mismatch(`unknown protocol "${protocol}"; use connect, grpc`);
      if (!urls[protocol]) {
        throw new Mismatch(`set ${protocol === "grpc" ? "GATEWAY_GRPC_URL" : "GATEWAY_URL"}`);
      }
      for (const role of ["editor", "secretary", "analyst"]) {
        if (!tokens[role]) throw new Mismatch(`set ${role.toUpperCase()}_TOKEN or TOKEN`);
      }
      summary.protocols[protocol] = {};
      await run(protocol, summary.protocols[protocol]);
    }
    summary.ok = true;
  } catch (err) {
    summary.failed = protocol;
    summary.error = err instanceof ConnectError
      ? `ConnectError ${Code[err.code]}: ${err.rawMessage}`
      : err instanceof Mismatch ? err.message : String(err?.stack ?? err);
  }
  console.log(JSON.stringify(summary, bigints));
  process.exitCode = summary.ok ? 0 : 1;
}

await main();
