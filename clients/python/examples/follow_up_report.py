#!/usr/bin/python3
"""Reads a municipality's published follow-up report through the gateway.

    examples/follow_up_report.py --municipality 169            # the newest
    examples/follow_up_report.py redegoerelse-2010 --format html --out r.html

Published reports are public: no token is needed. With TOKEN set (an
analyst's), drafts are listed too, and --summary prints each indicator's
status instead of the document.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))

from kommune import Client, KommuneError, from_date  # noqa: E402
from kommune.followup.v1 import indicator_pb2, report_pb2  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("report", nargs="?",
                        help="the report's id or name; default the newest")
    parser.add_argument("--target", default=os.environ.get("GATEWAY",
                                                           "127.0.0.1:8443"))
    parser.add_argument("--municipality", default="169")
    parser.add_argument("--format", choices=("markdown", "html"),
                        default="markdown")
    parser.add_argument("--out", help="write the document here, not stdout")
    parser.add_argument("--summary", action="store_true",
                        help="print each indicator's status instead")
    args = parser.parse_args()

    with Client(args.target, token=os.environ.get("TOKEN"),
                municipality=args.municipality) as client:
        try:
            name = args.report
            if not name:
                reports = sorted(client.followup.reports(),
                                 key=lambda r: from_date(r.as_of))
                if not reports:
                    print(f"no reports in {client.parent}", file=sys.stderr)
                    return 1
                for r in reports:
                    state = report_pb2.ReportState.Name(r.state)
                    print(f"{r.name}  {from_date(r.as_of)}  {state}  "
                          f"{r.display_name}", file=sys.stderr)
                name = reports[-1].name
            if args.summary:
                report = client.followup.GetFollowUpReport(
                    name=client.followup.report_name(name))
                for area in report.focus_areas:
                    print(area.title)
                    for criterion in area.criteria:
                        for section in criterion.indicators:
                            status = indicator_pb2.Status.Name(
                                section.status.status)
                            print(f"  {status.removeprefix('STATUS_'):10}"
                                  f"  {section.indicator.display_name}:"
                                  f" {section.status.explanation}")
                return 0
            exported = client.followup.export_report(name, format=args.format)
        except KommuneError as error:
            print(f"{error.method}: {error.code.name}: {error.message}",
                  file=sys.stderr)
            return 1
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(exported.document)
        print(f"wrote {args.out} ({exported.media_type})", file=sys.stderr)
    else:
        sys.stdout.write(exported.document)
    return 0


if __name__ == "__main__":
    sys.exit(main())
