#!/usr/bin/python3
"""Follows the change feed through the gateway, one JSON line per event.

    TOKEN=... examples/watch_events.py --municipality 169 --timeout 60

Prints the events after --after (default: the whole log), then each new
one as it is committed, until Ctrl-C or --timeout seconds. Needs a token
with the analyst or integration role. Through the gateway this is the
policy service's feed.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))

from kommune import Client, KommuneError, unpack_payload  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", default=os.environ.get("GATEWAY",
                                                           "127.0.0.1:8443"))
    parser.add_argument("--municipality", default="169")
    parser.add_argument("--after", type=int, default=0,
                        help="start after this sequence number")
    parser.add_argument("--timeout", type=float, default=None,
                        help="stop after this many seconds")
    args = parser.parse_args()

    with Client(args.target, token=os.environ.get("TOKEN"),
                municipality=args.municipality) as client:
        try:
            with client.change_feed.watch(after_sequence=args.after,
                                          timeout=args.timeout) as events:
                for event in events:
                    payload = unpack_payload(event)
                    print(json.dumps({
                        "sequence": event.sequence,
                        "type": event.type,
                        "resource": event.resource,
                        "actor": event.actor,
                        "time": event.create_time.ToJsonString(),
                        "payload": type(payload).__name__ if payload else None,
                    }, ensure_ascii=False), flush=True)
        except KommuneError as error:
            print(f"{error.method}: {error.code.name}: {error.message}",
                  file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
