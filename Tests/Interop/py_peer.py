#!/usr/bin/env python3
"""A scriptable py-libp2p 0.8.1 peer for peerscope's interop tests and benchmarks.

    py_peer.py listen [identity/stack options] [--transport tcp|ws|quic] [--port P]
                      [--exit-with-parent]
    py_peer.py dial ADDR [identity/stack options] [--timeout S] SCENARIO ...

`listen` prints its full listen multiaddr (ending in /p2p/<id>) as the first stdout line,
serves /echo/1.0.0 and /perf/1.0.0 next to py's defaults (ping, identify, identify/push),
and runs until SIGTERM or SIGINT (exit code 0).

`dial` connects to ADDR (its transport, TCP, /ws or /quic-v1, follows from the address), runs
one scenario and prints one JSON line. Exit codes: 0 success, 1 the scenario failed (reason
on stderr), 2 bad command line.
See README.md next to this file for the scenarios and py-libp2p's quirks.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import signal
import struct
import sys
import time

PROCESS_START = time.perf_counter()

# stdout carries exactly one line (the listen address or the JSON result); anything a library
# prints goes to stderr instead.
RESULT_OUTPUT = sys.stdout
sys.stdout = sys.stderr

ECHO_PROTOCOL = "/echo/1.0.0"
PERF_PROTOCOL = "/perf/1.0.0"
IO_CHUNK = 64 * 1024
# Identify messages are small; a megabyte bound keeps a broken peer from growing us without limit.
IDENTIFY_READ_LIMIT = 1024 * 1024
SHUTDOWN_GRACE_SECONDS = 3.0
STOP_REQUESTED = False  # listen mode: set once a SIGTERM/SIGINT has been taken as the stop
TRANSPORTS = ("tcp", "ws", "quic")
# QUIC brings its own security (TLS 1.3 inside QUIC) and stream multiplexing: py-libp2p never
# runs its upgrader on a QUIC connection, so --security and --muxer do not apply there.
QUIC_SECURITY = "quic-tls"
QUIC_MUXER = "quic"


class PeerFailure(Exception):
    """The remote peer (or our own start-up) did not behave as a scenario expects."""


# ---------------------------------------------------------------------------------------------
# Command line


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    stack = argparse.ArgumentParser(add_help=False)
    stack.add_argument("--key-type", choices=["ed25519", "secp256k1", "rsa"], default="ed25519")
    stack.add_argument(
        "--seed",
        type=int,
        help="deterministic identity: key material is SHA-256 of the decimal seed "
        "(ed25519 and secp256k1 only)",
    )
    # Defaults are filled in after parsing: over QUIC neither option applies, and one given
    # explicitly there earns a warning.
    stack.add_argument(
        "--security", choices=["noise", "plaintext", "tls"], help="default noise (not for QUIC)"
    )
    stack.add_argument("--muxer", choices=["yamux", "mplex"], help="default yamux (not for QUIC)")

    parser = argparse.ArgumentParser(prog="py_peer.py", description=__doc__.splitlines()[0])
    modes = parser.add_subparsers(dest="mode", required=True)

    listen = modes.add_parser("listen", parents=[stack], help="serve until killed")
    listen.add_argument(
        "--transport",
        choices=TRANSPORTS,
        default="tcp",
        help="tcp: /tcp/P, ws: /tcp/P/ws, quic: /udp/P/quic-v1 (default tcp)",
    )
    listen.add_argument(
        "--port",
        type=port_number,
        default=0,
        help="TCP (tcp, ws) or UDP (quic) port on 127.0.0.1 (0: any)",
    )
    listen.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="also stop when the launching process goes away (a crashed test run leaves no peer)",
    )

    dial = modes.add_parser("dial", parents=[stack], help="connect and run one scenario")
    dial.add_argument("addr", help="full multiaddr of the remote, ending in /p2p/<id>")
    dial.add_argument(
        "--timeout", type=float, default=60.0, help="bound for connect plus scenario, seconds"
    )
    scenarios = dial.add_subparsers(dest="scenario", required=True)

    echo = scenarios.add_parser("echo", help=f"concurrent streams on {ECHO_PROTOCOL}")
    echo.add_argument("--streams", type=positive_int, default=1)
    echo.add_argument("--bytes", type=non_negative_int, default=IO_CHUNK)
    echo.add_argument("--data-seed", type=int, default=1, help="stream i uses seed data-seed + i")

    ping = scenarios.add_parser("ping", help="py's /ipfs/ping/1.0.0 client")
    ping.add_argument("--count", type=positive_int, default=5)

    scenarios.add_parser("identify", help="read the remote's /ipfs/id/1.0.0 message")

    matrix = scenarios.add_parser(
        "matrix", help="one interop-matrix cell: ping, identify, a big echo, concurrent echoes"
    )
    matrix.add_argument("--echo-bytes", type=non_negative_int, default=1 << 20)
    matrix.add_argument("--streams", type=positive_int, default=10)
    matrix.add_argument("--stream-bytes", type=non_negative_int, default=IO_CHUNK)

    perf = scenarios.add_parser("perf", help=f"client of {PERF_PROTOCOL}")
    perf.add_argument("--upload", type=non_negative_int, default=0)
    perf.add_argument("--download", type=non_negative_int, default=0)

    arguments = parser.parse_args(argv)
    if arguments.seed is not None and arguments.key_type == "rsa":
        parser.error("--seed is not supported with --key-type rsa (py-libp2p has no seeded RSA)")
    if arguments.mode == "dial":
        try:
            arguments.transport = transport_of_address(arguments.addr)
        except ValueError as error:
            parser.error(str(error))
    if arguments.transport == "quic":
        ignored = [f"--{name} {value}" for name, value in
                   (("security", arguments.security), ("muxer", arguments.muxer)) if value]
        if ignored:
            print(f"py_peer: {' and '.join(ignored)} ignored: QUIC has its own TLS 1.3 and "
                  "stream multiplexing", file=sys.stderr, flush=True)
        arguments.security, arguments.muxer = QUIC_SECURITY, QUIC_MUXER
    else:
        arguments.security = arguments.security or "noise"
        arguments.muxer = arguments.muxer or "yamux"
    return arguments


def transport_of_address(text: str) -> str:
    """tcp, ws or quic, from the protocols of a multiaddr (checked again when it is parsed)."""
    import multiaddr

    try:
        names = [p.name for p in multiaddr.Multiaddr(text).protocols()]
    except Exception as error:
        raise ValueError(f"bad multiaddr {text!r}: {error}") from error
    if "wss" in names or "tls" in names:
        raise ValueError(f"{text}: /wss and /tls/ws are not supported (plain /ws only)")
    if "quic" in names:
        raise ValueError(
            f"{text}: /quic (draft-29) is not supported; py-libp2p 0.8.1's aioquic has no "
            "draft-29 keys, use /quic-v1"
        )
    if "webtransport" in names or "webrtc" in names or "webrtc-direct" in names:
        raise ValueError(f"{text}: only tcp, /ws and /quic-v1 addresses are supported")
    if "udp" in names and "quic-v1" in names:
        return "quic"
    if "tcp" in names and "ws" in names:
        return "ws"
    if "tcp" in names:
        return "tcp"
    raise ValueError(f"{text}: neither a /tcp, /tcp/../ws nor a /udp/../quic-v1 address")


def listen_multiaddr(transport: str, port: int | str) -> str:
    if transport == "ws":
        return f"/ip4/127.0.0.1/tcp/{port}/ws"
    if transport == "quic":
        return f"/ip4/127.0.0.1/udp/{port}/quic-v1"
    return f"/ip4/127.0.0.1/tcp/{port}"


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text}")
    return value


def port_number(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a TCP port 0...65535, got {text}")
    return value


def non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text}")
    return value


# ---------------------------------------------------------------------------------------------
# Host construction


def make_key_pair(key_type: str, seed: int | None):  # -> KeyPair
    from libp2p.crypto import ed25519, rsa, secp256k1

    material = None if seed is None else hashlib.sha256(str(seed).encode()).digest()
    if key_type == "ed25519":
        return ed25519.create_new_key_pair(material)
    if key_type == "secp256k1":
        return secp256k1.create_new_key_pair(material)
    return rsa.create_new_key_pair()


def make_security_options(security: str, key_pair):  # -> TSecurityOptions
    """Exactly one security protocol, so the remote cannot fall back to another one."""
    from libp2p.crypto.x25519 import create_new_key_pair as create_x25519_key_pair
    from libp2p.security.insecure.transport import PLAINTEXT_PROTOCOL_ID, InsecureTransport
    from libp2p.security.noise.transport import PROTOCOL_ID as NOISE_PROTOCOL_ID
    from libp2p.security.noise.transport import Transport as NoiseTransport
    from libp2p.security.tls.transport import PROTOCOL_ID as TLS_PROTOCOL_ID
    from libp2p.security.tls.transport import TLSTransport

    if security == "noise":
        static_key = create_x25519_key_pair().private_key
        return {NOISE_PROTOCOL_ID: NoiseTransport(key_pair, noise_privkey=static_key)}
    if security == "tls":
        return {TLS_PROTOCOL_ID: TLSTransport(key_pair)}
    return {PLAINTEXT_PROTOCOL_ID: InsecureTransport(key_pair)}


def make_muxer_options(muxer: str):  # -> TMuxerOptions
    from libp2p.custom_types import TProtocol
    from libp2p.stream_muxer.mplex.mplex import MPLEX_PROTOCOL_ID, Mplex
    from libp2p.stream_muxer.yamux.yamux import PROTOCOL_ID as YAMUX_PROTOCOL_ID
    from libp2p.stream_muxer.yamux.yamux import Yamux

    if muxer == "yamux":
        return {TProtocol(YAMUX_PROTOCOL_ID): Yamux}
    return {MPLEX_PROTOCOL_ID: Mplex}


def make_host(arguments: argparse.Namespace, dialer: bool):  # -> IHost
    import multiaddr
    from libp2p import new_host
    from libp2p.network.config import ConnectionConfig, RetryConfig

    key_pair = make_key_pair(arguments.key_type, arguments.seed)
    # A dialer that may hold only one connection per peer cancels py's happy-eyeballs wait as
    # soon as that connection is up; otherwise every dial sleeps 250 ms.
    connection_config = ConnectionConfig(max_connections_per_peer=1) if dialer else None
    transport = transport_of(arguments)
    options: dict = {}
    if transport != "tcp":
        # new_host builds exactly one transport per kind of address in listen_addrs (a ws
        # transport gets py's upgrader, a QUIC one our key), and nothing else: no TCP beside
        # it. A dialer gets the same single transport; it listens on nothing (see host.run).
        port = 0 if dialer else arguments.port
        options["listen_addrs"] = [multiaddr.Multiaddr(listen_multiaddr(transport, port))]
    if transport == "quic":
        # Never used on a QUIC connection, but new_host still wants them; pass the same
        # single-protocol choice so nothing else is ever offered.
        security, muxer = "noise", "yamux"
    else:
        security, muxer = arguments.security, arguments.muxer
    host = new_host(
        key_pair=key_pair,
        sec_opt=make_security_options(security, key_pair),
        muxer_opt=make_muxer_options(muxer),
        connection_config=connection_config,
        **options,
    )
    if dialer:
        # new_host has no retry parameter; retries would hide a failing handshake.
        host.get_network().retry_config = RetryConfig(max_retries=0)
    return host


def transport_of(arguments: argparse.Namespace) -> str:
    # py_bench.py builds its own namespace for make_host, without a transport: TCP.
    return getattr(arguments, "transport", "tcp")


def stack_description(arguments: argparse.Namespace) -> dict:
    return {
        "transport": transport_of(arguments),
        "key_type": arguments.key_type,
        "security": arguments.security,
        "muxer": arguments.muxer,
    }


# ---------------------------------------------------------------------------------------------
# Stream helpers (py streams signal end of data either by StreamEOF or by an empty read)


async def read_chunk(stream, limit: int) -> bytes:
    from libp2p.network.stream.exceptions import StreamEOF, StreamReset
    from libp2p.transport.quic.exceptions import QUICStreamClosedError

    quic_stream = quic_stream_of(stream)
    if quic_stream is not None:
        rest = rest_after_quic_fin(quic_stream, limit)
        if rest is not None:
            return rest
    try:
        return await stream.read(limit)
    except StreamEOF:
        if quic_stream is not None:
            return rest_after_quic_fin(quic_stream, limit) or b""
        return b""
    except StreamReset as error:
        if quic_stream is not None and isinstance(error.__cause__, QUICStreamClosedError):
            rest = rest_after_quic_fin(quic_stream, limit)
            if rest is not None:
                return rest
        raise


def quic_stream_of(stream):  # -> QUICStream | None
    from libp2p.transport.quic.stream import QUICStream

    muxed = getattr(stream, "muxed_stream", None)
    return muxed if isinstance(muxed, QUICStream) else None


def rest_after_quic_fin(quic_stream, limit: int) -> bytes | None:
    """Once the remote's FIN has arrived (and no RESET_STREAM), what py-libp2p still buffers
    for the stream, b"" at its end; None while the stream is still open for reading.

    py-libp2p 0.8.1's QUICStream.read checks its buffer, then yields taking _state_lock, then
    decides on end of stream without looking at the buffer again. Data and FIN that arrive in
    that gap are dropped (EOF with bytes still buffered), or, once our own FIN is out as
    well, the read fails with QUICStreamClosedError, which NetStream turns into StreamReset.
    Serving the buffer ourselves after the FIN only hands out bytes py has already received
    (and acknowledged); nothing changes on the wire."""
    if not quic_stream._read_closed or quic_stream.is_reset():
        return None
    return quic_stream._extract_data_from_buffer(limit)


async def read_to_end(stream, max_bytes: int, what: str) -> bytes:
    received = bytearray()
    while True:
        chunk = await read_chunk(stream, IO_CHUNK)
        if not chunk:
            return bytes(received)
        received += chunk
        if len(received) > max_bytes:
            raise PeerFailure(f"{what}: more than {max_bytes} bytes before end of stream")


# ---------------------------------------------------------------------------------------------
# Listen mode


def echo_handler_for(timeout: float):
    import trio

    async def handle_echo(stream) -> None:
        try:
            while True:
                with trio.fail_after(timeout):
                    chunk = await read_chunk(stream, IO_CHUNK)
                if not chunk:
                    break
                with trio.fail_after(timeout):
                    await stream.write(chunk)
            with trio.fail_after(timeout):
                await stream.close()
        except Exception as error:  # one bad stream must not take the listener down
            print(f"py_peer: echo stream ended with {error!r}", file=sys.stderr, flush=True)
            try:
                await stream.reset()
            except Exception:
                pass

    return handle_echo


async def run_listener(arguments: argparse.Namespace) -> None:
    import multiaddr
    import trio
    from libp2p.custom_types import TProtocol
    from libp2p.perf import PerfService

    host = make_host(arguments, dialer=False)
    host.set_stream_handler(TProtocol(ECHO_PROTOCOL), echo_handler_for(timeout=60.0))
    listen_addr = multiaddr.Multiaddr(listen_multiaddr(arguments.transport, arguments.port))
    # The bound address with its real port, e.g. /ip4/127.0.0.1/tcp/40123/ws/p2p/12D3Koo...
    wanted = re.compile(
        re.escape(listen_multiaddr(arguments.transport, "PORT")).replace("PORT", "[0-9]+")
        + "/p2p/[1-9A-HJ-NP-Za-km-z]+"
    )

    with trio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
        with trio.CancelScope() as lifetime:
            async with host.run(listen_addrs=[listen_addr]):
                await PerfService(host).start()
                addrs = [str(a) for a in host.get_addrs() if wanted.fullmatch(str(a))]
                if not addrs:
                    raise PeerFailure(f"no loopback listen address in {host.get_addrs()}")
                print(addrs[0], file=RESULT_OUTPUT, flush=True)
                ready_ms = (time.perf_counter() - PROCESS_START) * 1000
                print(f"py_peer: listening, ready {ready_ms:.0f} ms after start", file=sys.stderr,
                      flush=True)
                await wait_for_stop_request(signals, arguments.exit_with_parent)
                # Leaving host.run closes the swarm; a hung close must not keep us alive.
                lifetime.deadline = trio.current_time() + SHUTDOWN_GRACE_SECONDS


async def wait_for_stop_request(signals, exit_with_parent: bool) -> None:
    import trio

    parent = os.getppid()
    async with trio.open_nursery() as nursery:

        async def stop_on_signal() -> None:
            global STOP_REQUESTED
            async for _ in signals:
                break
            STOP_REQUESTED = True
            nursery.cancel_scope.cancel()

        async def stop_when_orphaned() -> None:
            while os.getppid() == parent:
                await trio.sleep(0.5)
            print("py_peer: launching process is gone, stopping", file=sys.stderr, flush=True)
            nursery.cancel_scope.cancel()

        nursery.start_soon(stop_on_signal)
        if exit_with_parent:
            nursery.start_soon(stop_when_orphaned)


# ---------------------------------------------------------------------------------------------
# Dial mode


async def run_dialer(arguments: argparse.Namespace) -> dict:
    import multiaddr
    import trio
    from libp2p.peer.peerinfo import info_from_p2p_addr

    try:
        remote = info_from_p2p_addr(multiaddr.Multiaddr(arguments.addr))
    except Exception as error:
        raise PeerFailure(f"bad remote address {arguments.addr!r}: {error}") from error

    if arguments.transport == "ws":
        ignore_proxy_environment()
    host = make_host(arguments, dialer=True)
    result: dict = {"scenario": arguments.scenario, "ok": False}
    result.update(stack_description(arguments))
    result["local_peer_id"] = str(host.get_id())
    result["remote_peer_id"] = str(remote.peer_id)

    with trio.fail_after(arguments.timeout):
        async with host.run(listen_addrs=[]):
            started = time.perf_counter()
            try:
                await host.connect(remote)
            except Exception as error:
                raise PeerFailure(
                    f"connect to {arguments.addr} failed: {error_chain(error)}"
                ) from error
            result["connect_ms"] = elapsed_ms(started)
            scenario = SCENARIOS[arguments.scenario]
            result.update(await scenario(host, remote.peer_id, arguments))
            result["ok"] = True
            # An orderly close, so the remote sees the connection end rather than vanish.
            await host.disconnect(remote.peer_id)
    return result


def ignore_proxy_environment() -> None:
    """py's ws dialer routes ws:// through $HTTP_PROXY (wss:// through $HTTPS_PROXY) unless
    $NO_PROXY matches, and speaks only SOCKS to it: an ordinary http:// proxy setting fails
    every dial. A test peer dials directly, so the variables go, for this process only."""
    dropped = [name for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy")
               if os.environ.pop(name, None) is not None]
    if dropped:
        print(f"py_peer: ignoring {', '.join(dropped)} for the ws dial", file=sys.stderr,
              flush=True)


async def open_stream(host, peer_id, protocol: str):
    from libp2p.custom_types import TProtocol

    try:
        return await host.new_stream(peer_id, [TProtocol(protocol)])
    except Exception as error:
        raise PeerFailure(
            f"opening a {protocol} stream failed: {error_chain(error)}"
        ) from error


async def scenario_echo(host, peer_id, arguments: argparse.Namespace) -> dict:
    import trio

    per_stream: list[dict] = [{} for _ in range(arguments.streams)]
    started = time.perf_counter()
    async with trio.open_nursery() as nursery:
        for index in range(arguments.streams):
            nursery.start_soon(
                echo_one_stream, host, peer_id, index, arguments, per_stream
            )
    total_ms = elapsed_ms(started)
    total_bytes = arguments.streams * arguments.bytes
    return {
        "streams": arguments.streams,
        "bytes_per_stream": arguments.bytes,
        "total_bytes": total_bytes,
        "total_ms": total_ms,
        "mb_per_s": megabytes_per_second(total_bytes, total_ms),
        "per_stream": per_stream,
    }


async def echo_one_stream(host, peer_id, index, arguments, per_stream: list[dict]) -> None:
    import trio

    seed = arguments.data_seed + index
    payload = random.Random(seed).randbytes(arguments.bytes)
    started = time.perf_counter()
    stream = await open_stream(host, peer_id, ECHO_PROTOCOL)
    received = bytearray()

    async def write_all() -> None:
        for offset in range(0, len(payload), IO_CHUNK):
            await stream.write(payload[offset : offset + IO_CHUNK])
        await stream.close_write()

    async def read_all() -> None:
        while True:
            chunk = await read_chunk(stream, IO_CHUNK)
            if not chunk:
                return
            received.extend(chunk)
            if len(received) > len(payload):
                raise PeerFailure(
                    f"echo stream {index}: got more than the {len(payload)} bytes sent"
                )

    if getattr(arguments, "muxer", None) == "mplex":
        # py-libp2p 0.8.1's MplexStream holds its read/write lock for the whole of a blocking
        # read, so a write on the same stream waits until data arrives: full duplex on one
        # mplex stream deadlocks whatever the peer does. Without flow control, writing all
        # first is safe; the peer's echo waits in its send path and in our socket meanwhile.
        await write_all()
        await read_all()
    else:
        # Writing and reading run together: the echo comes back while we still send, and a
        # flow-controlled muxer would stall if nobody drained it.
        async with trio.open_nursery() as nursery:
            nursery.start_soon(write_all)
            nursery.start_soon(read_all)
    try:
        await stream.close()
    except Exception:
        pass

    if bytes(received) != payload:
        raise PeerFailure(
            f"echo stream {index}: sent {len(payload)} bytes, got {len(received)} back, "
            f"first difference at byte {first_difference(payload, received)}"
        )
    per_stream[index] = {
        "index": index,
        "seed": seed,
        "bytes": len(payload),
        "ms": elapsed_ms(started),
        "sha256": hashlib.sha256(payload).hexdigest(),
    }


async def scenario_ping(host, peer_id, arguments: argparse.Namespace) -> dict:
    from libp2p.host.ping import ID as PING_PROTOCOL
    from libp2p.host.ping import perform_ping_roundtrip

    stream = await open_stream(host, peer_id, PING_PROTOCOL)
    rtts: list[float] = []
    for _ in range(arguments.count):
        started = time.perf_counter()
        # py's own round trip (random 32 bytes, payload check); it reports whole
        # milliseconds, so the time is taken around it.
        try:
            await perform_ping_roundtrip(stream)
        except Exception as error:
            raise PeerFailure(f"ping {len(rtts) + 1} failed: {error!r}") from error
        rtts.append(elapsed_ms(started))
    await stream.close_write()
    ordered = sorted(rtts)
    return {
        "count": arguments.count,
        "rtt_ms": rtts,
        "rtt_min_ms": ordered[0],
        "rtt_p50_ms": ordered[len(ordered) // 2],
        "rtt_max_ms": ordered[-1],
    }


async def scenario_identify(host, peer_id, arguments: argparse.Namespace) -> dict:
    from libp2p.crypto.pb import crypto_pb2
    from libp2p.identity.identify.identify import ID as IDENTIFY_PROTOCOL
    from libp2p.identity.identify.pb.identify_pb2 import Identify
    from libp2p.peer.id import ID as PeerID
    from libp2p.crypto.serialization import deserialize_public_key

    stream = await open_stream(host, peer_id, IDENTIFY_PROTOCOL)
    raw = await read_to_end(stream, IDENTIFY_READ_LIMIT, "identify")
    length, prefix_size = decode_uvarint(raw)
    body = raw[prefix_size:]
    if length != len(body):
        raise PeerFailure(
            f"identify: length prefix says {length} bytes, the stream carried {len(body)}"
        )
    message = Identify()
    message.ParseFromString(body)

    key = crypto_pb2.PublicKey()
    key.ParseFromString(message.public_key)
    try:
        key_peer_id = str(PeerID.from_pubkey(deserialize_public_key(message.public_key)))
    except Exception as error:
        # py cannot load every key type (ECDSA in 0.8.1); report instead of failing.
        key_peer_id = f"unloadable: {error!r}"
    return {
        "agent_version": message.agent_version,
        "protocol_version": message.protocol_version,
        "protocols": list(message.protocols),
        "listen_addrs": [multiaddr_text(a) for a in message.listen_addrs],
        "observed_addr": multiaddr_text(message.observed_addr)
        if message.HasField("observed_addr")
        else None,
        "public_key_type": key_type_name(crypto_pb2, key.key_type),
        "public_key_peer_id": key_peer_id,
        "public_key_matches_peer": key_peer_id == str(peer_id),
        "has_signed_peer_record": message.HasField("signedPeerRecord"),
        "message_bytes": len(body),
    }


async def scenario_perf(host, peer_id, arguments: argparse.Namespace) -> dict:
    stream = await open_stream(host, peer_id, PERF_PROTOCOL)
    zeros = bytes(IO_CHUNK)
    started = time.perf_counter()
    await stream.write(struct.pack(">Q", arguments.download))
    remaining = arguments.upload
    while remaining > 0:
        block = min(remaining, IO_CHUNK)
        await stream.write(zeros[:block])
        remaining -= block
    await stream.close_write()
    upload_ms = elapsed_ms(started)

    download_started = time.perf_counter()
    received = 0
    while True:
        chunk = await read_chunk(stream, IO_CHUNK)
        if not chunk:
            break
        received += len(chunk)
        if received > arguments.download:
            raise PeerFailure(f"perf: server sent more than the {arguments.download} asked")
    download_ms = elapsed_ms(download_started)
    total_ms = elapsed_ms(started)
    if received != arguments.download:
        raise PeerFailure(f"perf: asked for {arguments.download} bytes, got {received}")
    return {
        "upload_bytes": arguments.upload,
        "download_bytes": received,
        "upload_ms": upload_ms,
        "download_ms": download_ms,
        "total_ms": total_ms,
        "upload_mb_per_s": megabytes_per_second(arguments.upload, upload_ms),
        "download_mb_per_s": megabytes_per_second(received, download_ms),
    }


async def scenario_matrix(host, peer_id, arguments: argparse.Namespace) -> dict:
    """Every check of one matrix cell on the one connection; a failing check is reported and the
    next one still runs, so the table shows which exchange broke."""
    checks: dict[str, dict] = {}

    async def check(name: str, run) -> None:
        started = time.perf_counter()
        try:
            detail = await run()
            checks[name] = {"ok": True, "ms": elapsed_ms(started), "detail": detail}
        except Exception as error:
            checks[name] = {"ok": False, "ms": elapsed_ms(started), "error": error_chain(error)}

    def echo_arguments(streams: int, size: int, data_seed: int) -> argparse.Namespace:
        return argparse.Namespace(
            streams=streams, bytes=size, data_seed=data_seed, muxer=arguments.muxer
        )

    async def ping() -> dict:
        report = await scenario_ping(host, peer_id, argparse.Namespace(count=3))
        return {"rtt_p50_ms": report["rtt_p50_ms"]}

    async def identify() -> dict:
        report = await scenario_identify(host, peer_id, arguments)
        if not report["public_key_matches_peer"]:
            raise PeerFailure(f"identify: key does not match the peer: {report['public_key_peer_id']}")
        return {"agent_version": report["agent_version"], "protocols": report["protocols"]}

    async def big_echo() -> dict:
        report = await scenario_echo(host, peer_id, echo_arguments(1, arguments.echo_bytes, 1))
        return {"bytes": report["total_bytes"], "sha256": report["per_stream"][0]["sha256"]}

    async def concurrent_echo() -> dict:
        report = await scenario_echo(
            host, peer_id, echo_arguments(arguments.streams, arguments.stream_bytes, 100)
        )
        return {"streams": report["streams"], "bytes": report["total_bytes"]}

    await check("ping", ping)
    await check("identify", identify)
    await check("echo", big_echo)
    await check("streams", concurrent_echo)
    return {"checks": checks}


SCENARIOS = {
    "matrix": scenario_matrix,
    "echo": scenario_echo,
    "ping": scenario_ping,
    "identify": scenario_identify,
    "perf": scenario_perf,
}


# ---------------------------------------------------------------------------------------------
# Small pure helpers


def elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


def megabytes_per_second(byte_count: int, milliseconds: float) -> float | None:
    if milliseconds <= 0:
        return None
    return round(byte_count / 1e6 / (milliseconds / 1000), 2)


def first_difference(expected: bytes, actual: bytes | bytearray) -> int:
    for position, (left, right) in enumerate(zip(expected, actual)):
        if left != right:
            return position
    return min(len(expected), len(actual))


def decode_uvarint(data: bytes) -> tuple[int, int]:
    value = 0
    for position, byte in enumerate(data[:9]):
        value |= (byte & 0x7F) << (7 * position)
        if byte < 0x80:
            return value, position + 1
    raise PeerFailure(f"identify: no complete uvarint length prefix in {data[:9].hex()}")


def key_type_name(crypto_pb2, value: int) -> str:
    try:
        return crypto_pb2.KeyType.Name(value)
    except ValueError:
        return f"unknown({value})"


def multiaddr_text(raw: bytes) -> str:
    import multiaddr

    try:
        return str(multiaddr.Multiaddr(raw))
    except Exception:
        return "undecodable:" + raw.hex()


# ---------------------------------------------------------------------------------------------
# Entry point


def main(argv: list[str]) -> int:
    arguments = parse_arguments(argv)
    import trio

    if arguments.mode == "listen":
        try:
            trio.run(run_listener, arguments)
        except (Exception, BaseExceptionGroup) as error:
            fail(f"listen failed: {error_chain(error)}")
            return 1
        finally:
            # Interpreter shutdown resets Python-level handlers to the default action, so a
            # repeated stop request arriving then would still kill us (exit 143).
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        return 0

    # A dialer killed by a signal must not look like a success.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        result = trio.run(run_dialer, arguments)
    except (Exception, BaseExceptionGroup) as error:
        fail(f"dial {arguments.scenario}: {describe_failure(error, arguments.timeout)}")
        return 1
    print(json.dumps(result, separators=(",", ":")), file=RESULT_OUTPUT, flush=True)
    return 0


def error_chain(error: BaseException, depth: int = 0) -> str:
    """py wraps the real reason (refused, handshake mismatch) in causes and MultiErrors."""
    first_line = str(error).splitlines()[0] if str(error) else ""
    # py puts whole payloads into some messages (MplexStreamClosed carries the data it could not write).
    if len(first_line) > 160:
        first_line = first_line[:160] + f"… ({len(first_line)} chars)"
    own = f"{type(error).__name__}: {first_line}"
    if depth >= 6:
        return own
    inner = list(getattr(error, "errors", None) or getattr(error, "exceptions", None) or [])
    if error.__cause__ is not None:
        inner.append(error.__cause__)
    elif error.__context__ is not None and not error.__suppress_context__:
        inner.append(error.__context__)
    if not inner:
        return own
    return own + " <- " + " | ".join(error_chain(e, depth + 1) for e in inner)


def describe_failure(error: BaseException, timeout: float) -> str:
    import trio

    if isinstance(error, BaseExceptionGroup):  # nursery failures arrive grouped
        return "; ".join(describe_failure(inner, timeout) for inner in error.exceptions)
    if isinstance(error, trio.TooSlowError):
        return f"timed out after {timeout:g} s"
    if isinstance(error, PeerFailure):
        return str(error)
    return "unexpected " + error_chain(error)


def fail(message: str) -> None:
    print(f"py_peer: {message}", file=sys.stderr, flush=True)


def exit_quietly_on_signal(signal_number, frame) -> None:
    # Until trio installs its own receiver (listen mode), a stop request during start-up
    # is still a clean stop.
    if STOP_REQUESTED:
        # A repeated request (GNU timeout signals its child, then its whole process group)
        # that trio re-delivers when its receiver closes: we are stopping already, and a
        # SystemExit raised inside trio's machinery would turn a clean stop into a crash.
        return
    raise SystemExit(0)


if __name__ == "__main__":
    # A launcher may hand down blocked signals (threads of Swift's task pool block them);
    # a blocked SIGTERM would never reach us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, exit_quietly_on_signal)
    signal.signal(signal.SIGINT, exit_quietly_on_signal)
    sys.exit(main(sys.argv[1:]))
