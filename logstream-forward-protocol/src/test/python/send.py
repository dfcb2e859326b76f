"""Send Docker-shaped log records with fluent-logger-python (Debian's python3-fluent-logger).

Run it with Debian's interpreter, /usr/bin/python3, which sees dist-packages:

    /usr/bin/python3 send.py --address tcp://127.0.0.1:24224 --count 10 --tag app

Record i carries log = "line-<i>-<prefix>" plus a variant suffix; log_line must stay identical
to DockerRecords.log (Java) and logLine in dockerlike/main.go (Go). Prints "posted <count>".
"""

import argparse
import sys
import time

from fluent import event, sender


def log_line(prefix, i):
    if i % 10 == 7:
        return "line-%d-%s long %s" % (i, prefix, "0123456789abcdef" * 750)
    if i % 3 == 1:
        return "line-%d-%s grüße Zoë — 日本語 ☃ 🚀" % (i, prefix)
    return "line-%d-%s plain ascii" % (i, prefix)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--address", required=True, help="tcp://host:port or unix:///path")
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--tag", default="python")
    parser.add_argument("--prefix", default="python")
    parser.add_argument("--api", choices=("sender", "event"), default="sender",
                        help="FluentSender.emit_with_time, or fluent.event.Event on a global sender")
    parser.add_argument("--nanosecond-precision", action="store_true",
                        help="send EventTime instead of integer seconds")
    parser.add_argument("--time", type=float, default=0.0,
                        help="time of record 0 in Unix seconds (0 = now); record i is i ms later")
    args = parser.parse_args()

    if args.address.startswith("unix://"):
        host, port = args.address, 0
    elif args.address.startswith("tcp://"):
        host, _, port = args.address[len("tcp://"):].rpartition(":")
        port = int(port)
    else:
        parser.error("address must start with tcp:// or unix://")

    fluent_sender = sender.FluentSender(
        args.tag, host=host, port=port, nanosecond_precision=args.nanosecond_precision)
    start = args.time or time.time()
    posted = 0
    for i in range(args.count):
        record = {
            "container_id": "0123456789abcdef" * 4,
            "container_name": "/logstream-interop",
            "source": "stdout",
            "log": log_line(args.prefix, i),
        }
        timestamp = start + i / 1000.0
        if not args.nanosecond_precision:
            timestamp = int(timestamp)
        if args.api == "event":
            # Event emits with an empty label, so the tag stays exactly args.tag.
            event.Event("", record, sender=fluent_sender, time=timestamp)
        elif not fluent_sender.emit_with_time(None, timestamp, record):
            sys.exit("send.py: record %d not sent: %r" % (i, fluent_sender.last_error))
        if fluent_sender.last_error is not None:
            sys.exit("send.py: record %d not sent: %r" % (i, fluent_sender.last_error))
        posted += 1
    fluent_sender.close()
    if fluent_sender.last_error is not None:
        sys.exit("send.py: close failed: %r" % (fluent_sender.last_error,))
    print("posted %d" % posted)


if __name__ == "__main__":
    main()
