#!/usr/bin/env python3
"""Submits a cairn release and follows it over server-sent events (standard library only).

    CAIRN_TOKEN=... python3 examples/python/release.py shop-web TEST 2.7.18 [--batches 2] [--pause-mode NONE]

Sets the tag on the environment's draft, previews the release (stopping on problems), submits it and
follows its feed until it reaches a state that waits for someone. Exits 0 when the order COMPLETED,
10 when it is PAUSED (resume it, then follow it again with --follow ORDER_ID), 1 otherwise.
CAIRN_URL (default http://127.0.0.1:4000/graphql) says where cairn is. Python 3.8 or later.
Each operation is sent as its persisted hash (examples/operations.ids.json), not as its document, so the
script runs under CAIRN_PERSISTED_ONLY=true; a cairn that does not know a hash gets the document once instead.
"""
import argparse
import json
import os
import pathlib
import sys
import urllib.error
import urllib.request

URL = os.environ.get("CAIRN_URL", "http://127.0.0.1:4000/graphql")
TOKEN = os.environ.get("CAIRN_TOKEN", "")
EXAMPLES = pathlib.Path(__file__).resolve().parent.parent
OPERATIONS = EXAMPLES / "operations"
# Operation name -> sha256 of its document in examples/operations.persisted.json, which cairn loads at start.
HASHES = json.loads((EXAMPLES / "operations.ids.json").read_text())
EXIT = {"COMPLETED": 0, "PAUSED": 10, "FAILED": 1, "CLOSED": 1, "ROLLED_BACK": 1}
NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"


class PersistedNotFound(Exception):
    """cairn does not know the operation's hash (it loaded another manifest): send the document instead."""


def body(operation_name, variables, document=False):
    """The request: the operation's persisted hash, or (when asked, or without a hash) its document."""
    if document or operation_name not in HASHES:
        return {"operationName": operation_name, "query": (OPERATIONS / f"{operation_name}.graphql").read_text(), "variables": variables}
    persisted = {"version": 1, "sha256Hash": HASHES[operation_name]}
    return {"operationName": operation_name, "variables": variables, "extensions": {"persistedQuery": persisted}}


def describe(errors):
    return "; ".join(f"{e.get('extensions', {}).get('code', 'ERROR')}: {e['message']}" for e in errors)


def codes(errors):
    return {e.get("extensions", {}).get("code") for e in errors or []}


def post(payload, accept="application/json", timeout=15):
    request = urllib.request.Request(URL, data=json.dumps(payload).encode(), method="POST", headers={
        "content-type": "application/json",
        "accept": accept,
        "authorization": f"Bearer {TOKEN}",
    })
    try:
        return urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as error:  # 400, 401, 429 ...: the body says why, as GraphQL errors (JSON or an SSE event)
        text = error.read().decode()
        for line in text.splitlines():
            line = line[5:].strip() if line.startswith("data:") else line
            if line.startswith("{"):
                errors = json.loads(line).get("errors") or []
                if NOT_FOUND in codes(errors) and "extensions" in payload:
                    raise PersistedNotFound() from None
                text = describe(errors)
                break
        sys.exit(f"cairn answered {error.code}: {text}")


def graphql(operation_name, **variables):
    try:
        with post(body(operation_name, variables)) as response:
            answer = json.load(response)
    except PersistedNotFound:
        answer = {"errors": [{"message": "not found", "extensions": {"code": NOT_FOUND}}]}
    if NOT_FOUND in codes(answer.get("errors")):
        with post(body(operation_name, variables, document=True)) as response:
            answer = json.load(response)
    if answer.get("errors"):
        sys.exit(describe(answer["errors"]))
    return answer["data"]


def events(operation_name, **variables):
    """Each event of a subscription over server-sent events (`event: next` / `data: …`, `event: complete`)."""
    try:
        yield from stream(body(operation_name, variables))
    except PersistedNotFound:
        yield from stream(body(operation_name, variables, document=True))


def stream(payload):
    # The stream sends a keep-alive comment every few seconds: a read that waits a minute means it is gone.
    with post(payload, accept="text/event-stream", timeout=60) as response:
        data = []
        first = True
        for raw in response:
            line = raw.decode().rstrip("\r\n")
            if line.startswith("data:"):
                data.append(line[5:].strip())
            elif line == "" and data:
                event = json.loads("\n".join(data))
                data = []
                if first and "extensions" in payload and NOT_FOUND in codes(event.get("errors")):
                    raise PersistedNotFound()
                first = False
                yield event
            elif line.startswith("event: complete"):
                return


def follow(order_id):
    last = None
    for answer in events("FollowReleaseOrder", id=order_id):
        if answer.get("errors"):
            sys.exit("; ".join(e["message"] for e in answer["errors"]))
        event = answer["data"]["releaseOrderFeed"]
        order = event.get("releaseOrder")
        line = order and f"order {order['state']}: {order['batchesDone']} of {order['batchCount']} batches done"
        if line and line != last:
            print(line, flush=True)
            last = line
        for instance in event.get("instances") or ([event["instance"]] if event.get("instance") else []):
            print(f"  {instance['name']} {instance['status']}", flush=True)
        if event.get("event"):
            e = event["event"]
            print(f"  {e['type']} {e['reason']} {e['instanceName']}: {e['message']}", flush=True)
        if order and order["state"] in EXIT:
            return EXIT[order["state"]]
    sys.exit("the feed ended before the order settled")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", nargs="?")
    parser.add_argument("kind", nargs="?", choices=["TEST", "PRODUCTION"])
    parser.add_argument("tag", nargs="?")
    parser.add_argument("--batches", type=int, default=2)
    parser.add_argument("--pause-mode", default="NONE", choices=["NONE", "FIRST_BATCH", "EVERY_BATCH"])
    parser.add_argument("--follow", metavar="ORDER_ID", help="only follow this order")
    args = parser.parse_args()
    if args.follow:
        return follow(args.follow)
    if not (args.app and args.kind and args.tag):
        parser.error("app, kind and tag are needed (or --follow ORDER_ID)")

    apps = graphql("FindEnvironment", name=args.app, kind=args.kind)["apps"]["edges"]
    app = next((edge["node"] for edge in apps if edge["node"]["name"] == args.app), None)
    if app is None:
        sys.exit(f"no app named {args.app}")
    environment = app["environment"]
    tagged = graphql("SetImageTag", environment=environment["id"], imageTag=args.tag)["setImageTag"]
    if tagged["__typename"] != "SetImageTagPayload":
        sys.exit(f"setImageTag: {tagged.get('message')}")
    preview = graphql("PreviewRelease", environment=environment["id"], batchCount=args.batches)["previewRelease"]
    if preview["__typename"] != "ReleasePreview":
        sys.exit(f"previewRelease: {preview.get('message')}")
    for change in preview["changes"]:
        print(f"  {'.'.join(change['path'])}: {change['before'] or '-'} -> {change['after'] or '-'}")
    if preview["problems"]:
        sys.exit("refused: " + "; ".join(f"{'.'.join(p['path'])}: {p['message']}" for p in preview["problems"]))
    created = graphql("CreateReleaseOrder", environment=environment["id"], batchCount=args.batches,
                      pauseMode=args.pause_mode, description=f"release {args.tag} (python example)")["createReleaseOrder"]
    if created["__typename"] != "ReleaseOrderPayload":
        sys.exit(f"createReleaseOrder: {created['__typename']}: {created.get('message')}")
    order = created["releaseOrder"]
    print(f"order {order['id']}: revision {order['revision']['number']} ({order['revision']['imageReference']}),"
          f" batches of {', '.join(map(str, order['batchSizes']))}", flush=True)
    return follow(order["id"])


if __name__ == "__main__":
    sys.exit(main())
