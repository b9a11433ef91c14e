#!/usr/bin/python3
"""End to end through the gateway's gRPC port with the Python client.

A policy's way through the suite, each step as the person who does it:
  1. an editor imports domain/001 (plain text) as a draft;
  2. an integration reads the change feed (ChangeFeedService.ListEvents)
     and starts watching it (WatchEvents, with a deadline);
  3. a secretary plans a public hearing of that revision, open from today
     for three weeks (Europe/Copenhagen), and opens it: the policy goes to
     hearing, and the watch sees it happen;
  4. a citizen, without a token, answers anonymously;
  5. an analyst turns a proposed indicator into one, records three years
     of values and makes and publishes the follow-up report, which the
     public then exports as HTML;
  6. the change feed holds the policy's events in order.

Prints one JSON line with what it saw and exits 1 on any mismatch (2 when
the client is not set up). Arguments fall back on the environment:

  --target        GATEWAY            the gRPC port, 127.0.0.1:8443
  --editor        EDITOR_TOKEN       tokens with these roles in the
  --secretary     SECRETARY_TOKEN    municipality; each falls back on
  --analyst       ANALYST_TOKEN      TOKEN (tools/run.sh prints one with
  --integration   INTEGRATION_TOKEN  every role but integration; the
                                     integration token falls back on the
                                     analyst's, who may read feeds too)
  --municipality  MUNICIPALITY       169
"""

import argparse
import datetime
import json
import os
import secrets
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

try:
    import kommune
    from kommune import Client, KommuneError
    from kommune.followup.v1 import indicator_pb2, report_pb2
    from kommune.hearing.v1 import hearing_pb2
    from kommune.policy.v1 import policy_pb2
except ImportError as error:
    print(f"the Python client is not set up ({error}); run "
          f"{os.path.join(HERE, 'setup.sh')} and use Debian's /usr/bin/python3",
          file=sys.stderr)
    sys.exit(2)

DOCUMENT = os.path.join(HERE, "..", "..", "fixtures", "domain",
                        "001_e954513d7125136f.txt")
# Three years of new ethnic entrepreneurs; they add up to 32 of the 40 the
# policy asks for by 2009.
VALUES = {"2007": 12.0, "2008": 11.0, "2009": 9.0}


class Mismatch(Exception):
    pass


def expect(condition, what, actual=None):
    if not condition:
        raise Mismatch(f"{what} (got {actual!r})")


def enum_name(enum_type, value):
    return enum_type.Name(value)


def iso(day):
    return kommune.from_date(day).isoformat()


def arguments():
    env = os.environ.get
    token = env("TOKEN")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", default=env("GATEWAY", "127.0.0.1:8443"))
    parser.add_argument("--editor", default=env("EDITOR_TOKEN", token))
    parser.add_argument("--secretary", default=env("SECRETARY_TOKEN", token))
    parser.add_argument("--analyst", default=env("ANALYST_TOKEN", token))
    parser.add_argument("--integration", default=env("INTEGRATION_TOKEN"))
    parser.add_argument("--municipality", default=env("MUNICIPALITY", "169"))
    parser.add_argument("--document", default=DOCUMENT)
    args = parser.parse_args()
    args.integration = args.integration or args.analyst
    for role in ("editor", "secretary", "analyst"):
        if not getattr(args, role):
            parser.error(f"give --{role} or set {role.upper()}_TOKEN or TOKEN")
    return args


def run(args, summary):
    # One channel; each person is a client on it with their own token.
    public = Client(args.target, municipality=args.municipality)
    editor = public.with_credentials(args.editor)
    secretary = public.with_credentials(args.secretary)
    analyst = public.with_credentials(args.analyst)
    integration = public.with_credentials(args.integration)
    suffix = secrets.token_hex(4)
    summary["step"] = "import"

    # 1. The editor imports the policy document as a draft.
    with open(args.document, "rb") as f:
        imported = editor.policies.import_document(
            f"python-{suffix}", f.read(), format="plain_text",
            request_id=f"python-import-{suffix}")
    policy = imported.policy
    name = editor.policies.name(f"python-{suffix}")
    expect(policy.name == name, f"ImportPolicy name should be {name}",
           policy.name)
    expect(policy.state == policy_pb2.POLICY_STATE_DRAFT,
           "an imported policy is a draft",
           enum_name(policy_pb2.PolicyState, policy.state))
    expect(policy.revision_id, "ImportPolicy should give a revision id")
    expect(len(policy.content.focus_areas) > 0,
           "the imported policy should have focus areas")
    listed = [p.name for p in editor.policies.list(page_size=1)]
    expect(name in listed, "the paged list should hold the new policy",
           listed)
    summary.update(policy=name, revision=policy.revision_id,
                   title=policy.display_name, listed=len(listed))

    # 2. The change feed so far, and a watch from its end (gRPC streaming).
    summary["step"] = "change feed"
    before = list(integration.change_feed.list())
    created = [e for e in before if e.resource == name]
    expect([e.type for e in created] == ["policy.created"],
           "the feed should hold the import as policy.created",
           [e.type for e in created])
    last = max(e.sequence for e in before)
    watch = integration.change_feed.watch(after_sequence=last, timeout=20)

    # 3. The secretary plans and opens a public hearing of the revision.
    summary["step"] = "hearing"
    today = kommune.copenhagen_today()
    deadline = today + datetime.timedelta(weeks=3)
    revision = f"{name}@{policy.revision_id}"
    hearing = secretary.hearings.create(
        f"offentlig-{suffix}",
        hearing_pb2.Hearing(
            display_name="Offentlig høring af integrationspolitikken",
            policy_revision=revision,
            kind=hearing_pb2.HEARING_KIND_PUBLIC,
            letter=hearing_pb2.HearingLetter(
                text="Byrådet sender forslaget til integrationspolitik i "
                "offentlig høring."),
            open_date=kommune.to_date(today),
            deadline=kommune.to_date(deadline)),
        request_id=f"python-hearing-{suffix}")
    expect(hearing.state == hearing_pb2.HEARING_STATE_PLANNED,
           "a new hearing is planned",
           enum_name(hearing_pb2.HearingState, hearing.state))
    expect(hearing.policy_revision == revision,
           "the hearing should be of the imported revision",
           hearing.policy_revision)
    hearing = secretary.hearings.open(hearing.name, etag=hearing.etag)
    expect(hearing.state == hearing_pb2.HEARING_STATE_OPEN,
           "OpenHearing should open it",
           enum_name(hearing_pb2.HearingState, hearing.state))
    in_hearing = editor.policies.get(name)
    expect(in_hearing.state == policy_pb2.POLICY_STATE_IN_HEARING,
           "opening the hearing should send the policy to hearing",
           enum_name(policy_pb2.PolicyState, in_hearing.state))
    summary.update(hearing=hearing.name,
                   hearing_state=enum_name(hearing_pb2.HearingState,
                                           hearing.state),
                   open_date=iso(hearing.open_date),
                   deadline=iso(hearing.deadline),
                   policy_state=enum_name(policy_pb2.PolicyState,
                                          in_hearing.state))

    summary["step"] = "watch"
    watched = []
    with watch:
        for event in watch:
            watched.append(event.type)
            if event.resource == name and event.type == "policy.sent_to_hearing":
                payload = kommune.unpack_payload(event)
                expect(isinstance(payload, policy_pb2.Policy) and
                       payload.state == policy_pb2.POLICY_STATE_IN_HEARING,
                       "the event's payload should be the policy in hearing",
                       payload)
                break
    expect("policy.sent_to_hearing" in watched,
           "WatchEvents should stream the policy going to hearing", watched)
    summary["watched"] = watched

    # 4. A citizen answers, without signing in, anonymously.
    summary["step"] = "response"
    response = public.hearings.submit_response(
        hearing.name,
        hearing_pb2.Response(
            text="Godt forslag; husk fritidslivet for de unge.",
            responder=hearing_pb2.Responder(display_name="Borger i Høje-Taastrup",
                                            anonymous=True, consent=True)),
        request_id=f"python-response-{suffix}")
    expect(response.name.startswith(hearing.name + "/responses/"),
           "the response should belong to the hearing", response.name)
    expect(response.state == hearing_pb2.RESPONSE_STATE_SUBMITTED,
           "the response should be submitted",
           enum_name(hearing_pb2.ResponseState, response.state))
    expect(not response.late, "a response on the first day is not late")
    responses = list(secretary.hearings.responses(hearing.name))
    expect([r.name for r in responses] == [response.name],
           "the secretary should see the one response",
           [r.name for r in responses])
    expect(responses[0].responder.anonymous,
           "the response should stay anonymous")
    summary.update(response=response.name,
                   response_anonymous=responses[0].responder.anonymous)

    # 5. The analyst's follow-up: indicator, values, report.
    summary["step"] = "indicator"
    proposals = analyst.followup.propose_indicators(name)
    expect(len(proposals) > 0, "ProposeIndicators should propose some")
    chosen = next((p for p in proposals if "iværksættere" in
                   p.indicator.criteria[0].criterion_text), None)
    expect(chosen is not None,
           "a proposal should count ethnic entrepreneurs (iværksættere)",
           [p.indicator_id for p in proposals])
    indicator = indicator_pb2.Indicator()
    indicator.CopyFrom(chosen.indicator)
    indicator.display_name = "Etniske iværksættere etableret"
    indicator.aggregation = indicator_pb2.AGGREGATION_SUM
    indicator.owner_committee.display_name = "Erhvervsudvalget"
    indicator.data_source = "Erhvervsservice"
    indicator.follow_up_period.start_date.CopyFrom(
        kommune.to_date(datetime.date(2007, 1, 1)))
    indicator.follow_up_period.end_date.CopyFrom(
        kommune.to_date(datetime.date(2011, 12, 31)))
    indicator = analyst.followup.create_indicator(
        f"ivaerksaettere-{suffix}", indicator,
        request_id=f"python-indicator-{suffix}")
    expect(indicator.criteria[0].policy_name == name,
           "the indicator should measure the policy's criterion",
           indicator.criteria[0].policy_name)

    summary["step"] = "measurements"
    recorded = analyst.followup.record_measurements(
        indicator.name, VALUES, source="Erhvervsservice",
        request_id=f"python-values-{suffix}")
    expect([m.period for m in recorded] == list(VALUES),
           "BatchRecordMeasurements should record every year",
           [m.period for m in recorded])
    stored = list(analyst.followup.measurements(indicator.name, page_size=2))
    expect([(m.period, m.value) for m in stored] == list(VALUES.items()),
           "ListMeasurements should page through the values",
           [(m.period, m.value) for m in stored])
    status = analyst.followup.GetIndicatorStatus(
        name=indicator.name, as_of=kommune.to_date(datetime.date(2009, 12, 31)))
    expect(status.latest_value == sum(VALUES.values()),
           "the values should add up", status.latest_value)
    summary.update(indicator=indicator.name,
                   indicator_kind=enum_name(indicator_pb2.IndicatorKind,
                                            indicator.kind),
                   measurements=len(stored), latest_value=status.latest_value,
                   target_value=status.target_value,
                   status=enum_name(indicator_pb2.Status, status.status))

    summary["step"] = "report"
    report = analyst.followup.create_report(
        f"redegoerelse-{suffix}", name,
        display_name="Årlig redegørelse 2010",
        as_of=datetime.date(2010, 3, 1),
        request_id=f"python-report-{suffix}")
    expect(report.state == report_pb2.REPORT_STATE_DRAFT,
           "a new report is a draft",
           enum_name(report_pb2.ReportState, report.state))
    expect(report.totals.total == 1, "the report counts the one indicator",
           report.totals.total)
    try:
        public.followup.export_report(report.name)
        raise Mismatch("a draft report should not be public")
    except KommuneError as error:
        draft_refused = error.code.name
    expect(draft_refused == "UNAUTHENTICATED",
           "the public should be told to sign in for a draft", draft_refused)
    published = analyst.followup.publish_report(report.name)
    expect(published.state == report_pb2.REPORT_STATE_PUBLISHED,
           "PublishFollowUpReport should publish",
           enum_name(report_pb2.ReportState, published.state))
    page = public.followup.export_report(report.name, format="html")
    expect(page.media_type.startswith("text/html"),
           "the export should be HTML", page.media_type)
    expect("<svg" in page.document, "the page should have charts")
    expect("Etniske iværksættere etableret" in page.document,
           "the page should name the indicator")
    summary.update(report=published.name,
                   report_state=enum_name(report_pb2.ReportState,
                                          published.state),
                   report_total=published.totals.total,
                   draft_refused=draft_refused,
                   export_media_type=page.media_type,
                   export_bytes=len(page.document.encode("utf-8")))

    # 6. The policy's events in the feed, oldest first.
    summary["step"] = "events"
    events = [e for e in integration.change_feed.list(page_size=2)
              if e.resource == name]
    types = [e.type for e in events]
    expect(types == ["policy.created", "policy.sent_to_hearing"],
           "the feed should hold the import and the hearing", types)
    expect(all(a.sequence < b.sequence for a, b in zip(events, events[1:])),
           "events should come oldest first")
    summary["events"] = types
    del summary["step"]
    public.close()


def main():
    args = arguments()
    summary = {"ok": False, "client": "python", "gateway": args.target,
               "municipality": args.municipality}
    try:
        run(args, summary)
        summary["ok"] = True
    except KommuneError as error:
        summary["error"] = f"KommuneError {error.code.name}: {error.message}"
    except Mismatch as error:
        summary["error"] = str(error)
    except Exception as error:  # anything else is a failure too
        summary["error"] = f"{type(error).__name__}: {error}"
    print(json.dumps(summary, ensure_ascii=False), flush=True)
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
