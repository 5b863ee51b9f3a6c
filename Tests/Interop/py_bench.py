#!/usr/bin/env python3
"""py-libp2p 0.8.1 peers for peerscope's benchmark baselines.

    py_bench.py listen [--exit-with-parent]
    py_bench.py ADDR [--timeout S] perf --upload B --download B
    py_bench.py ADDR [--timeout S] streams --streams N --download B
    py_bench.py ADDR [--timeout S] connect --count N [--ping]
    py_bench.py ADDR [--timeout S] ping --count N

`listen` is py_peer.py's listener (same output, same protocols, same stop signals) with py's
connection limit raised from 300 to 20,000: py holds a closed connection's inbound slot while
its identify attempt times out (30 s), so a few hundred connects in a row would be refused.

The dial form connects to ADDR (ending in /p2p/<id>) with Noise + yamux and ed25519, runs one scenario and
prints one JSON line. Every result carries `cpu_s`: this process's user + system CPU seconds
spent inside the scenario (start-up and `import libp2p` excluded). Exit 0 on success, 1 with
`py_bench: reason` on stderr on failure, 2 for a bad command line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import py_peer  # noqa: E402  (shares host construction and stream helpers; moves stdout to stderr)

IO_CHUNK = py_peer.IO_CHUNK


LISTENER_MAX_CONNECTIONS = 20_000


def run_listener(argv: list[str]) -> int:
    """py_peer.py's listen mode with a listener host whose connection limit is raised."""
    from libp2p import new_host
    from libp2p.network.config import ConnectionConfig

    def make_listener_host(arguments, dialer: bool):
        if dialer:
            return original_make_host(arguments, dialer)
        key_pair = py_peer.make_key_pair(arguments.key_type, arguments.seed)
        return new_host(
            key_pair=key_pair,
            sec_opt=py_peer.make_security_options(arguments.security, key_pair),
            muxer_opt=py_peer.make_muxer_options(arguments.muxer),
            connection_config=ConnectionConfig(max_connections=LISTENER_MAX_CONNECTIONS),
        )

    original_make_host = py_peer.make_host
    py_peer.make_host = make_listener_host
    return py_peer.main(["listen"] + argv)


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="py_bench.py", description=__doc__.splitlines()[0])
    parser.add_argument("addr", help="full multiaddr of the listener, ending in /p2p/<id>")
    parser.add_argument("--timeout", type=float, default=120.0, help="bound for the whole run, seconds")
    scenarios = parser.add_subparsers(dest="scenario", required=True)

    perf = scenarios.add_parser("perf", help="one /perf/1.0.0 stream")
    perf.add_argument("--upload", type=py_peer.non_negative_int, default=0)
    perf.add_argument("--download", type=py_peer.non_negative_int, default=0)

    streams = scenarios.add_parser("streams", help="concurrent /perf/1.0.0 downloads on one connection")
    streams.add_argument("--streams", type=py_peer.positive_int, default=100)
    streams.add_argument("--download", type=py_peer.non_negative_int, default=1 << 20)

    connect = scenarios.add_parser("connect", help="fresh connections, one after another")
    connect.add_argument("--count", type=py_peer.positive_int, default=100)
    connect.add_argument("--ping", action="store_true", help="also one ping on each connection")

    ping = scenarios.add_parser("ping", help="pings on one stream")
    ping.add_argument("--count", type=py_peer.positive_int, default=1000)

    arguments = parser.parse_args(argv)
    # The stack options py_peer.make_host expects: the default stack of the benchmarks.
    arguments.key_type = "ed25519"
    arguments.seed = None
    arguments.security = "noise"
    arguments.muxer = "yamux"
    return arguments


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def run(arguments: argparse.Namespace) -> dict:
    import multiaddr
    import trio
    from libp2p.peer.peerinfo import info_from_p2p_addr

    remote = info_from_p2p_addr(multiaddr.Multiaddr(arguments.addr))
    host = py_peer.make_host(arguments, dialer=True)
    with trio.fail_after(arguments.timeout):
        async with host.run(listen_addrs=[]):
            cpu_before = cpu_seconds()
            result = await SCENARIOS[arguments.scenario](host, remote, arguments)
            result["cpu_s"] = round(cpu_seconds() - cpu_before, 4)
            result["scenario"] = arguments.scenario
            result["ok"] = True
    return result


async def connected(host, remote) -> None:
    try:
        await host.connect(remote)
    except Exception as error:
        raise py_peer.PeerFailure(f"connect failed: {py_peer.error_chain(error)}") from error


async def scenario_perf(host, remote, arguments) -> dict:
    await connected(host, remote)
    result = await py_peer.scenario_perf(host, remote.peer_id, arguments)
    await host.disconnect(remote.peer_id)
    return result


async def scenario_ping(host, remote, arguments) -> dict:
    await connected(host, remote)
    result = await py_peer.scenario_ping(host, remote.peer_id, arguments)
    await host.disconnect(remote.peer_id)
    return result


async def scenario_streams(host, remote, arguments) -> dict:
    import trio

    await connected(host, remote)
    started = time.perf_counter()
    async with trio.open_nursery() as nursery:
        for index in range(arguments.streams):
            nursery.start_soon(download_one, host, remote.peer_id, index, arguments.download)
    total_ms = py_peer.elapsed_ms(started)
    total = arguments.streams * arguments.download
    await host.disconnect(remote.peer_id)
    return {
        "streams": arguments.streams,
        "bytes_per_stream": arguments.download,
        "total_bytes": total,
        "total_ms": total_ms,
        "mb_per_s": py_peer.megabytes_per_second(total, total_ms),
    }


async def download_one(host, peer_id, index: int, count: int) -> None:
    stream = await py_peer.open_stream(host, peer_id, py_peer.PERF_PROTOCOL)
    await stream.write(struct.pack(">Q", count))
    await stream.close_write()
    received = 0
    while True:
        chunk = await py_peer.read_chunk(stream, IO_CHUNK)
        if not chunk:
            break
        received += len(chunk)
        if received > count:
            raise py_peer.PeerFailure(f"stream {index}: more than the {count} bytes asked")
    if received != count:
        raise py_peer.PeerFailure(f"stream {index}: asked for {count} bytes, got {received}")


async def scenario_connect(host, remote, arguments) -> dict:
    """Each connection from a fresh dialer host (a new peer ID): py's listener keeps a closed
    connection of the same peer around for a while and then refuses that peer's next dial."""
    from libp2p.host.ping import ID as PING_PROTOCOL
    from libp2p.host.ping import perform_ping_roundtrip

    latencies: list[float] = []
    for index in range(arguments.count):
        dialer = py_peer.make_host(arguments, dialer=True)
        async with dialer.run(listen_addrs=[]):
            started = time.perf_counter()
            await connected(dialer, remote)
            if arguments.ping:
                stream = await py_peer.open_stream(dialer, remote.peer_id, PING_PROTOCOL)
                try:
                    await perform_ping_roundtrip(stream)
                except Exception as error:
                    raise py_peer.PeerFailure(f"ping on connection {index} failed: {error!r}") from error
            latencies.append(py_peer.elapsed_ms(started))
            await dialer.disconnect(remote.peer_id)
    return {"count": arguments.count, "ping": arguments.ping, "latency_ms": latencies}


SCENARIOS = {
    "perf": scenario_perf,
    "ping": scenario_ping,
    "streams": scenario_streams,
    "connect": scenario_connect,
}


def main(argv: list[str]) -> int:
    if argv[:1] == ["listen"]:
        return run_listener(argv[1:])
    arguments = parse_arguments(argv)
    import trio

    try:
        result = trio.run(run, arguments)
    except (Exception, BaseExceptionGroup) as error:
        print(f"py_bench: {arguments.scenario}: {py_peer.describe_failure(error, arguments.timeout)}",
              file=sys.stderr, flush=True)
        return 1
    print(json.dumps(result, separators=(",", ":")), file=py_peer.RESULT_OUTPUT, flush=True)
    return 0


if __name__ == "__main__":
    # As in py_peer.py: a launcher may hand down blocked stop signals.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, py_peer.exit_quietly_on_signal)
    signal.signal(signal.SIGINT, py_peer.exit_quietly_on_signal)
    sys.exit(main(sys.argv[1:]))
