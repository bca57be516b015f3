#!/usr/bin/python3
"""Capture the COMMAND table of the reference redis-sentinel into sentinel/server/command_table.json.

Starts a throwaway redis-sentinel (7.0.15, /usr/bin/redis-sentinel) on a free loopback port, speaks
RESP3 to it over a raw socket and records the decoded replies of COMMAND, COMMAND DOCS and
COMMAND HELP with their RESP3 types preserved, so our sentinel can replay them byte-for-byte.

Value encoding (compact JSON):
    {"t":"simple","v":"..."}  {"t":"bulk","v":"..."}  {"t":"int","v":1}  {"t":"null"}
    {"t":"array","v":[...]}    {"t":"set","v":[...]}    {"t":"map","v":[k0,v0,k1,v1,...]}

File layout:
    {"commands":[<one COMMAND entry per line>],
     "docs":[[<name>,<docs map>] one per line],
     "help":[<COMMAND HELP lines>]}

The order of "commands" (and of "docs") is the reference's dict iteration order at capture time; it
is random per reference process, so clients and tests must not rely on it.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

REDIS_SENTINEL = "/usr/bin/redis-sentinel"
OUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "sentinel", "server",
                        "command_table.json")


class RespReader:
    """Minimal blocking RESP2/RESP3 reader over a socket; returns typed JSON-able values."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed by peer")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def read(self):
        line = self._line()
        kind, rest = line[:1], line[1:].decode("utf-8")
        if kind == b"+":
            return {"t": "simple", "v": rest}
        if kind == b"-":
            return {"t": "error", "v": rest}
        if kind == b":":
            return {"t": "int", "v": int(rest)}
        if kind == b"_":
            return {"t": "null"}
        if kind in (b"$", b"=", b"!"):
            n = int(rest)
            if n < 0:
                return {"t": "null"}
            data = self._exact(n).decode("utf-8")
            if kind == b"=":
                return {"t": "verbatim", "v": data}
            return {"t": "bulk" if kind == b"$" else "error", "v": data}
        if kind in (b"*", b"~", b">"):
            n = int(rest)
            if n < 0:
                return {"t": "null"}
            name = {b"*": "array", b"~": "set", b">": "push"}[kind]
            return {"t": name, "v": [self.read() for _ in range(n)]}
        if kind == b"%":
            n = int(rest)
            return {"t": "map", "v": [self.read() for _ in range(2 * n)]}
        if kind == b"|":
            # Attributes are out-of-band metadata: skip them and read the actual reply.
            n = int(rest)
            for _ in range(2 * n):
                self.read()
            return self.read()
        if kind == b"#":
            return {"t": "bool", "v": rest == "t"}
        if kind == b",":
            return {"t": "double", "v": rest}
        if kind == b"(":
            return {"t": "bignum", "v": rest}
        raise ValueError("unknown RESP type byte %r" % kind)


def encode_command(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(sock, reader, *args):
    sock.sendall(encode_command(*args))
    reply = reader.read()
    if reply["t"] == "error":
        raise RuntimeError("%s -> %s" % (" ".join(args), reply["v"]))
    return reply


def plain(v):
    """The Python value of a scalar typed value (for assertions and names)."""
    return v.get("v")


def map_get(m, key):
    items = m["v"]
    for i in range(0, len(items), 2):
        if plain(items[i]) == key:
            return items[i + 1]
    return None


def expected_list(commands):
    """COMMAND LIST order as derived from COMMAND: each command followed by its subcommands."""
    names = []
    for entry in commands:
        names.append(plain(entry["v"][0]))
        for sub in entry["v"][9]["v"]:
            names.append(plain(sub["v"][0]))
    return names


def capture(port):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        reader = RespReader(sock)
        call(sock, reader, "HELLO", "3")
        commands = call(sock, reader, "COMMAND")
        docs = call(sock, reader, "COMMAND", "DOCS")
        help_reply = call(sock, reader, "COMMAND", "HELP")
        listing = call(sock, reader, "COMMAND", "LIST")
        count = call(sock, reader, "COMMAND", "COUNT")

    assert commands["t"] == "array" and docs["t"] == "map", "unexpected reply shapes"
    assert plain(count) == len(commands["v"]), "COMMAND COUNT disagrees with COMMAND"
    # Our implementation derives LIST from COMMAND. The orders themselves may differ even within
    # one reference process (lookups advance incremental dict rehashing), so compare as multisets.
    assert sorted(plain(x) for x in listing["v"]) == sorted(expected_list(commands["v"])), \
        "LIST names differ from COMMAND"
    doc_names = [plain(docs["v"][i]) for i in range(0, len(docs["v"]), 2)]
    assert sorted(doc_names) == sorted(plain(e["v"][0]) for e in commands["v"]), "DOCS names differ"
    for name in doc_names:
        assert name.isascii() and "|" not in name
    # COMMAND GETKEYS on our side assumes no sentinel command has key specs.
    for entry in commands["v"]:
        for info in [entry] + entry["v"][9]["v"]:
            assert not info["v"][8]["v"], "%s has key specs" % plain(info["v"][0])
    assert all(line["t"] == "simple" for line in help_reply["v"]), "HELP lines are not status"
    return commands, docs, help_reply


def dump(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True)


def write_json(path, commands, docs, help_reply):
    items = docs["v"]
    lines = ['{"commands":[']
    lines.append(",\n".join(dump(e) for e in commands["v"]))
    lines.append('],\n"docs":[')
    lines.append(",\n".join(dump([plain(items[i]), items[i + 1]]) for i in range(0, len(items), 2)))
    lines.append('],\n"help":' + dump([plain(x) for x in help_reply["v"]]) + "}\n")
    text = "\n".join(lines)
    json.loads(text)  # self-check: the hand-assembled layout must still be valid JSON
    with open(path, "w", encoding="ascii") as f:
        f.write(text)


def main():
    tmp = tempfile.mkdtemp(prefix="capture-sentinel-")
    port = free_port()
    conf = os.path.join(tmp, "sentinel.conf")
    with open(conf, "w") as f:
        f.write("port %d\nbind 127.0.0.1\ndir %s\nsentinel monitor m 127.0.0.1 6399 2\n" % (port, tmp))
    log = open(os.path.join(tmp, "log"), "w")
    proc = subprocess.Popen([REDIS_SENTINEL, conf], cwd=tmp, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError("redis-sentinel did not start; see %s" % tmp)
                time.sleep(0.05)
        commands, docs, help_reply = capture(port)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        log.close()
    shutil.rmtree(tmp, ignore_errors=True)
    out = os.path.normpath(sys.argv[1] if len(sys.argv) > 1 else OUT_PATH)
    write_json(out, commands, docs, help_reply)
    print("wrote %s: %d commands" % (out, len(commands["v"])))


if __name__ == "__main__":
    main()
