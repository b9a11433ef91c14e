#!/usr/bin/python3
"""Lists a municipality's policies through the gateway, page by page.

    TOKEN=... examples/list_policies.py --municipality 169
    examples/list_policies.py --municipality - --state adopted   # public

Without a token only adopted (public) policies are listed. With --search,
prints full-text search hits instead.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))

from kommune import Client, KommuneError  # noqa: E402
from kommune.policy.v1 import policy_pb2  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", default=os.environ.get("GATEWAY",
                                                           "127.0.0.1:8443"))
    parser.add_argument("--municipality", default="169",
                        help='a code, or "-" for every municipality')
    parser.add_argument("--state", action="append", default=[],
                        help="draft, in_hearing, adopted, ... (repeatable)")
    parser.add_argument("--search", help="words to search for instead")
    args = parser.parse_args()

    with Client(args.target, token=os.environ.get("TOKEN"),
                municipality=args.municipality) as client:
        try:
            if args.search:
                for hit in client.policies.search(args.search):
                    print(f"{hit.policy}  {hit.element_type}: {hit.snippet}")
                return 0
            count = 0
            for policy in client.policies.list(states=args.state):
                state = policy_pb2.PolicyState.Name(policy.state)
                period = ""
                if policy.HasField("period"):
                    period = (f"  {policy.period.start_date.year}-"
                              f"{policy.period.end_date.year}")
                print(f"{policy.name}  [{state.removeprefix('POLICY_STATE_')}]"
                      f"{period}  {policy.display_name}")
                count += 1
            print(f"{count} policies", file=sys.stderr)
        except KommuneError as error:
            print(f"{error.method}: {error.code.name}: {error.message}",
                  file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
