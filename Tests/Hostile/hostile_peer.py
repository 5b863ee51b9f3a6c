#!/usr/bin/env python3
"""A hostile libp2p peer for peerscope's hostile-peer suite (Tests/NodeTests/Hostile).

It speaks raw bytes: multistream-select, Noise XX (the `noise` package, with the libp2p payload built
here), TLS 1.3 (Python's ssl) and yamux / mplex frames are written by hand, so nothing of the node under
test is reused. Each case plays one abuse against a listening node and prints one JSON line:

    {"case": NAME, "ok": BOOL, "observed": TEXT, "seconds": FLOAT}

`ok` says whether the node answered on the wire as the case expects (a GoAway with the protocol-error
code, a stream reset, the connection cut within the upgrade timeout, ...). What the node reported about
it (its named error event) and whether an honest peer kept being served is checked by the Swift test.

    hostile_peer.py list
    hostile_peer.py run CASE HOST PORT [--upgrade-timeout S]
"""

import json
import os
import socket
import ssl
import struct
import sys
import tempfile
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, x25519
from cryptography.x509.oid import NameOID
from noise.connection import Keypair, NoiseConnection

READ_TIMEOUT = 10.0


class Closed(Exception):
    """The node closed (or reset) the connection."""


class Silent(Exception):
    """Nothing arrived within the time allowed."""


# ---------------------------------------------------------------- plain bytes


def uvarint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def mss(text):
    body = text.encode() + b"\n"
    return uvarint(len(body)) + body


class MessageReader:
    """multistream-select messages over anything with `recv_exact(count, timeout)`."""

    def read_uvarint(self, timeout=READ_TIMEOUT):
        value, shift = 0, 0
        while True:
            byte = self.recv_exact(1, timeout)[0]
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7

    def read_mss(self):
        length = self.read_uvarint()
        return self.recv_exact(length).decode(errors="replace").rstrip("\n")


    def negotiate(self, protocol):
        self.send(mss("/multistream/1.0.0") + mss(protocol))
        header, answer = self.read_mss(), self.read_mss()
        if header != "/multistream/1.0.0" or answer != protocol:
            raise RuntimeError(f"negotiating {protocol}: got {header!r}, {answer!r}")


class Wire(MessageReader):
    """A TCP connection with bounded, timed reads."""

    def __init__(self, host, port, receive_buffer=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer:
            # Set before connect so the window the node sees is small from the start.
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(READ_TIMEOUT)
        self.sock.connect((host, port))
        self.pending = b""

    def send(self, data):
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError) as error:
            raise Closed(f"send failed: {error}")

    def recv_some(self, timeout):
        self.sock.settimeout(timeout)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            raise Silent(f"nothing within {timeout:.1f}s")
        except ConnectionResetError:
            raise Closed("connection reset")
        if not chunk:
            raise Closed("connection closed")
        return chunk

    def recv_exact(self, count, timeout=READ_TIMEOUT):
        deadline = time.monotonic() + timeout
        while len(self.pending) < count:
            self.pending += self.recv_some(max(0.05, deadline - time.monotonic()))
        out, self.pending = self.pending[:count], self.pending[count:]
        return out

    def wait_closed(self, timeout):
        """Reads until the node closes; returns the seconds it took, or raises Silent."""
        start = time.monotonic()
        deadline = start + timeout
        try:
            while True:
                self.recv_some(max(0.05, deadline - time.monotonic()))
                if time.monotonic() > deadline:
                    raise Silent(f"still open after {timeout:.1f}s")
        except Closed:
            return time.monotonic() - start

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# ---------------------------------------------------------------- Noise


def public_key_protobuf(key_type, data):
    return b"\x08" + uvarint(key_type) + b"\x12" + uvarint(len(data)) + data


def field(number, data):
    return uvarint(number << 3 | 2) + uvarint(len(data)) + data


class Identity:
    def __init__(self):
        self.key = ed25519.Ed25519PrivateKey.generate()
        raw = self.key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.public = public_key_protobuf(1, raw)

    def payload(self, static_public, key=None, signature=None):
        signed = b"noise-libp2p-static-key:" + static_public
        return field(1, key if key is not None else self.public) + field(
            2, signature if signature is not None else self.key.sign(signed))


class Secure(MessageReader):
    """A Noise transport over a Wire: length-prefixed ChaCha20-Poly1305 frames."""

    def __init__(self, wire, noise):
        self.wire = wire
        self.noise = noise
        self.plain = b""

    def send(self, data):
        frames = bytearray()
        for start in range(0, max(len(data), 1), 65519):
            sealed = self.noise.encrypt(bytes(data[start:start + 65519]))
            frames += struct.pack(">H", len(sealed)) + sealed
        self.wire.send(bytes(frames))

    def recv_exact(self, count, timeout=READ_TIMEOUT):
        deadline = time.monotonic() + timeout
        while len(self.plain) < count:
            remaining = max(0.05, deadline - time.monotonic())
            length = struct.unpack(">H", self.wire.recv_exact(2, remaining))[0]
            self.plain += self.noise.decrypt(self.wire.recv_exact(length, remaining))
        out, self.plain = self.plain[:count], self.plain[count:]
        return out


def noise_handshake(wire, payload_for=None):
    """Runs XX as initiator; `payload_for(identity, static_public)` may replace message 3's payload."""
    identity = Identity()
    static = x25519.X25519PrivateKey.generate()
    static_public = static.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    noise = NoiseConnection.from_name(b"Noise_XX_25519_ChaChaPoly_SHA256")
    noise.set_as_initiator()
    noise.set_keypair_from_private_bytes(
        Keypair.STATIC, static.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                             serialization.NoEncryption()))
    noise.start_handshake()
    first = noise.write_message(b"")
    wire.send(struct.pack(">H", len(first)) + first)
    length = struct.unpack(">H", wire.recv_exact(2))[0]
    noise.read_message(wire.recv_exact(length))
    payload = payload_for(identity, static_public) if payload_for else identity.payload(static_public)
    third = noise.write_message(payload)
    wire.send(struct.pack(">H", len(third)) + third)
    return Secure(wire, noise)


def upgraded(host, port, muxer, receive_buffer=None):
    wire = Wire(host, port, receive_buffer)
    wire.negotiate("/noise")
    secure = noise_handshake(wire)
    secure.negotiate(muxer)
    return secure


def wait_closed_secure(secure, timeout):
    """Reads (and decrypts) until the node closes; returns (seconds, plaintext seen)."""
    start = time.monotonic()
    seen = bytearray()
    try:
        while time.monotonic() - start < timeout:
            seen += secure.recv_exact(1, max(0.05, timeout - (time.monotonic() - start)))
            seen += secure.plain
            secure.plain = b""
    except (Closed, Silent) as reason:
        if isinstance(reason, Closed):
            return time.monotonic() - start, bytes(seen)
    raise Silent(f"still open after {timeout:.1f}s")


# ---------------------------------------------------------------- yamux

DATA, WINDOW_UPDATE, PING, GO_AWAY = 0, 1, 2, 3
SYN, ACK, FIN, RST = 1, 2, 4, 8


def yamux(frame_type, flags, stream, length, body=b"", version=0):
    return struct.pack(">BBHII", version, frame_type, flags, stream, length) + body


def yamux_frames(data):
    frames, offset = [], 0
    while offset + 12 <= len(data):
        version, frame_type, flags, stream, length = struct.unpack(">BBHII", data[offset:offset + 12])
        body_length = length if frame_type == DATA else 0
        frames.append((frame_type, flags, stream, length))
        offset += 12 + body_length
    return frames


def expect_go_away(secure, timeout, code=1):
    seconds, seen = wait_closed_secure(secure, timeout)
    frames = yamux_frames(seen)
    codes = [length for (frame_type, _, _, length) in frames if frame_type == GO_AWAY]
    return code in codes, f"closed after {seconds:.2f}s, GoAway codes {codes}"


def read_yamux_until(secure, predicate, timeout):
    """Reads frames (bodies skipped) until `predicate(frame)` holds; returns the frames read."""
    deadline = time.monotonic() + timeout
    frames = []
    while time.monotonic() < deadline:
        header = secure.recv_exact(12, max(0.05, deadline - time.monotonic()))
        version, frame_type, flags, stream, length = struct.unpack(">BBHII", header)
        if frame_type == DATA and length:
            secure.recv_exact(length, max(0.05, deadline - time.monotonic()))
        frame = (frame_type, flags, stream, length)
        frames.append(frame)
        if predicate(frame):
            return frames
    raise Silent("frame not seen")


def yamux_ping_round_trip(secure, value=77):
    secure.send(yamux(PING, SYN, 0, value))
    read_yamux_until(secure, lambda f: f[0] == PING and f[1] & ACK and f[3] == value, 5)
    return True


# ---------------------------------------------------------------- mplex

NEW_STREAM, MESSAGE_RECEIVER, MESSAGE_INITIATOR, CLOSE_RECEIVER, CLOSE_INITIATOR, RESET_RECEIVER, \
    RESET_INITIATOR = range(7)


def mplex(stream, flag, body=b"", length=None):
    return uvarint(stream << 3 | flag) + uvarint(len(body) if length is None else length) + body


def mplex_frames(data):
    frames, offset = [], 0

    def read_varint():
        nonlocal offset
        value, shift = 0, 0
        while True:
            byte = data[offset]
            offset += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7

    try:
        while offset < len(data):
            header = read_varint()
            length = read_varint()
            frames.append((header >> 3, header & 7, length))
            offset += length
    except IndexError:
        pass
    return frames


# ---------------------------------------------------------------- the cases

CASES = {}


def case(function):
    CASES[function.__name__.replace("_", "-")] = function
    return function


def trickle(wire, data, limit):
    """Sends one byte per second until the node cuts the connection; returns the seconds it took."""
    start = time.monotonic()
    for byte in data:
        try:
            wire.send(bytes([byte]))
        except Closed:
            return time.monotonic() - start
        try:
            wire.recv_some(1.0)
        except Silent:
            pass
        except Closed:
            return time.monotonic() - start
        if time.monotonic() - start > limit:
            break
    return wire.wait_closed(max(0.5, limit - (time.monotonic() - start)))


@case
def upgrade_trickle_multistream(host, port, limit):
    wire = Wire(host, port)
    seconds = trickle(wire, mss("/multistream/1.0.0") + mss("/noise"), limit)
    return seconds <= limit + 1.5, f"cut after {seconds:.1f}s of one byte per second (limit {limit:.1f}s)"


@case
def upgrade_trickle_noise(host, port, limit):
    wire = Wire(host, port)
    wire.negotiate("/noise")
    seconds = trickle(wire, b"\x00\x20" + os.urandom(32), limit)
    return seconds <= limit + 1.5, f"cut after {seconds:.1f}s inside Noise message 1 (limit {limit:.1f}s)"


@case
def upgrade_trickle_tls(host, port, limit):
    wire = Wire(host, port)
    wire.negotiate("/tls/1.0.0")
    # The start of a TLS record carrying a ClientHello, one byte per second.
    seconds = trickle(wire, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(32), limit)
    return seconds <= limit + 1.5, f"cut after {seconds:.1f}s inside the TLS ClientHello (limit {limit:.1f}s)"


@case
def upgrade_trickle_muxer(host, port, limit):
    wire = Wire(host, port)
    wire.negotiate("/noise")
    secure = noise_handshake(wire)
    start = time.monotonic()
    try:
        for byte in mss("/multistream/1.0.0") + mss("/yamux/1.0.0"):
            secure.send(bytes([byte]))
            time.sleep(1.0)
            if time.monotonic() - start > limit + 2:
                break
        seconds, _ = wait_closed_secure(secure, 3)
    except Closed:
        pass
    seconds = time.monotonic() - start
    return seconds <= limit + 1.5, f"cut after {seconds:.1f}s of one encrypted byte per second (limit {limit:.1f}s)"


@case
def upgrade_oversize_multistream_line(host, port, limit):
    wire = Wire(host, port)
    wire.send(uvarint(60000) + b"/multistream/1.0.0" + b"x" * 2000)
    seconds = wire.wait_closed(5)
    return True, f"closed {seconds:.2f}s after a line announcing 60000 bytes"


@case
def upgrade_unterminated_multistream_line(host, port, limit):
    wire = Wire(host, port)
    body = b"/multistream/1.0.0 no newline here"
    wire.send(uvarint(len(body)) + body)
    seconds = wire.wait_closed(5)
    return True, f"closed {seconds:.2f}s after a line without its newline"


@case
def upgrade_ten_thousand_proposals(host, port, limit):
    wire = Wire(host, port)
    flood = mss("/multistream/1.0.0") + b"".join(mss(f"/nope/{index}") for index in range(10_000))
    try:
        wire.send(flood)
    except Closed:
        pass
    answers = 0
    try:
        wire.read_mss()
        while True:
            if wire.read_mss() == "na":
                answers += 1
    except (Closed, Silent):
        pass
    return 0 < answers < 100, f"{answers} 'na' answers to 10000 proposals, then closed"


def noise_case(host, port, payload_for):
    wire = Wire(host, port)
    wire.negotiate("/noise")
    secure = noise_handshake(wire, payload_for)
    try:
        secure.negotiate("/yamux/1.0.0")
    except (Closed, Silent) as reason:
        return True, f"connection ended after message 3: {reason}"
    except Exception as error:  # a decryption failure: the node's answer was not what we expect
        return False, f"unexpected answer: {error}"
    return False, "the node went on to negotiate a muxer"


@case
def noise_bad_signature(host, port, limit):
    def bad(identity, static_public):
        signature = bytearray(identity.key.sign(b"noise-libp2p-static-key:" + static_public))
        signature[10] ^= 0x01
        return identity.payload(static_public, signature=bytes(signature))
    return noise_case(host, port, bad)


@case
def noise_unknown_key_type(host, port, limit):
    def unknown(identity, static_public):
        return identity.payload(static_public, key=public_key_protobuf(7, os.urandom(32)))
    return noise_case(host, port, unknown)


@case
def noise_oversize_payload(host, port, limit):
    def oversize(identity, static_public):
        # As large as one Noise message can carry: a 65000-byte "key".
        return identity.payload(static_public, key=public_key_protobuf(0, os.urandom(65000)))
    return noise_case(host, port, oversize)


@case
def noise_garbage_after_handshake(host, port, limit):
    wire = Wire(host, port)
    wire.negotiate("/noise")
    noise_handshake(wire)
    wire.send(struct.pack(">H", 200) + os.urandom(200))
    seconds = wire.wait_closed(5)
    return True, f"closed {seconds:.2f}s after a transport frame that does not authenticate"


@case
def tls_certificate_without_extension(host, port, limit):
    certificate, key = libp2p_test_certificate(extension=False)
    with tempfile.TemporaryDirectory() as folder:
        cert_path, key_path = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
        with open(cert_path, "wb") as out:
            out.write(certificate.public_bytes(serialization.Encoding.PEM))
        with open(key_path, "wb") as out:
            out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.minimum_version = ssl.TLSVersion.TLSv1_3
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.set_alpn_protocols(["libp2p"])
        context.load_cert_chain(cert_path, key_path)
        wire = Wire(host, port)
        wire.negotiate("/tls/1.0.0")
        try:
            tls = context.wrap_socket(wire.sock, server_hostname="libp2p")
            tls.settimeout(5)
            data = tls.recv(100)
            return not data, f"TLS session ended without data ({data!r})"
        except (ssl.SSLError, ConnectionResetError, OSError) as error:
            return True, f"TLS refused: {error.__class__.__name__}: {str(error)[:120]}"


@case
def yamux_unknown_version(host, port, limit):
    secure = upgraded(host, port, "/yamux/1.0.0")
    secure.send(yamux(PING, SYN, 0, 1, version=1))
    return expect_go_away(secure, 5)


@case
def yamux_unknown_type(host, port, limit):
    secure = upgraded(host, port, "/yamux/1.0.0")
    secure.send(yamux(9, 0, 1, 0))
    return expect_go_away(secure, 5)


@case
def yamux_window_overrun(host, port, limit):
    secure = upgraded(host, port, "/yamux/1.0.0")
    secure.send(yamux(WINDOW_UPDATE, SYN, 1, 0) + yamux(DATA, 0, 1, 300_000, os.urandom(300_000)))
    return expect_go_away(secure, 5)


@case
def yamux_data_after_fin(host, port, limit):
    secure = upgraded(host, port, "/yamux/1.0.0")
    secure.send(yamux(WINDOW_UPDATE, SYN, 1, 0) + yamux(DATA, FIN, 1, 0) + yamux(DATA, 0, 1, 5, b"after"))
    frames = read_yamux_until(secure, lambda f: f[2] == 1 and f[1] & RST, 5)
    alive = yamux_ping_round_trip(secure)
    return alive, f"stream 1 reset ({len(frames)} frames read), session still answers pings"


@case
def yamux_stream_id_reuse(host, port, limit):
    secure = upgraded(host, port, "/yamux/1.0.0")
    secure.send(yamux(WINDOW_UPDATE, SYN, 1, 0) + yamux(WINDOW_UPDATE, SYN, 1, 0))
    return expect_go_away(secure, 5)


@case
def yamux_wrong_parity(host, port, limit):
    secure = upgraded(host, port, "/yamux/1.0.0")
    secure.send(yamux(WINDOW_UPDATE, SYN, 2, 0))
    return expect_go_away(secure, 5)


@case
def yamux_syn_flood(host, port, limit):
    secure = upgraded(host, port, "/yamux/1.0.0")
    secure.send(b"".join(yamux(WINDOW_UPDATE, SYN, 2 * index + 1, 0) for index in range(10_000)))
    resets = set()
    frames = read_yamux_until(secure, lambda f: (f[1] & RST and resets.add(f[2])) or len(resets) >= 9_000, 30)
    alive = yamux_ping_round_trip(secure)
    return alive, f"{len(resets)} of 10000 SYNs refused with RST ({len(frames)} frames), session answers pings"


@case
def yamux_rst_flood(host, port, limit):
    secure = upgraded(host, port, "/yamux/1.0.0")
    secure.send(b"".join(yamux(WINDOW_UPDATE, SYN, 2 * index + 1, 0) + yamux(WINDOW_UPDATE, RST, 2 * index + 1, 0)
                         for index in range(10_000)))
    alive = yamux_ping_round_trip(secure, 78)
    return alive, "10000 streams opened and reset at once; the session still answers pings"


@case
def yamux_ping_flood_without_reading(host, port, limit):
    secure = upgraded(host, port, "/yamux/1.0.0", receive_buffer=4096)
    sent = 0
    try:
        # 12 MB of pings: more replies than the kernel's socket buffers on both ends can hold.
        for batch in range(500):
            secure.send(b"".join(yamux(PING, SYN, 0, sent + index) for index in range(2000)))
            sent += 2000
    except Closed:
        pass
    secure.wire.sock.settimeout(10)
    # Only now read: the replies that got out, then the end of the connection.
    try:
        wait_closed_secure(secure, 10)
    except Silent:
        return False, f"{sent} pings sent without reading; the connection is still open"
    return True, f"{sent} pings sent without reading before the node cut the connection"


@case
def yamux_go_away_then_syn(host, port, limit):
    secure = upgraded(host, port, "/yamux/1.0.0")
    secure.send(yamux(GO_AWAY, 0, 0, 0) + yamux(WINDOW_UPDATE, SYN, 1, 0))
    seen = []
    try:
        while True:
            header = secure.recv_exact(12, 5)
            seen.append(struct.unpack(">BBHII", header)[1:])
    except (Closed, Silent) as reason:
        refused = any(flags & RST and stream == 1 for (_, flags, stream, _) in seen)
        accepted = any(flags & ACK and stream == 1 for (_, flags, stream, _) in seen)
        return refused and not accepted, f"SYN after GoAway: reset={refused} acked={accepted}, then {reason}"


@case
def yamux_never_reading_peer(host, port, limit):
    """Asks for 100 MB of perf data and never reads: the node must stop at the send window."""
    secure = upgraded(host, port, "/yamux/1.0.0", receive_buffer=4096)
    request = mss("/multistream/1.0.0") + mss("/perf/1.0.0") + struct.pack(">Q", 100_000_000)
    secure.send(yamux(WINDOW_UPDATE, SYN, 1, 0) + yamux(DATA, FIN, 1, len(request), request))
    time.sleep(3)
    # Now read what was sent: never more than the 256 KiB window we granted.
    received = 0
    try:
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            header = secure.recv_exact(12, max(0.05, deadline - time.monotonic()))
            _, frame_type, _, stream, length = struct.unpack(">BBHII", header)
            if frame_type == DATA:
                secure.recv_exact(length)
                if stream == 1:
                    received += length
    except (Silent, Closed):
        pass
    window = 256 * 1024
    return received <= window + 64, f"{received} bytes of stream data sent with a {window}-byte window never updated"


@case
def yamux_window_update_overflow(host, port, limit):
    secure = upgraded(host, port, "/yamux/1.0.0")
    secure.send(yamux(WINDOW_UPDATE, SYN, 1, 0) + yamux(WINDOW_UPDATE, 0, 1, 0xFFFFFFFF))
    return expect_go_away(secure, 5)


def answer_identify(secure, answer):
    """Waits for the node's identify request (its stream 2, as the server) and answers it with `answer`."""
    frames = read_yamux_until(secure, lambda f: f[0] == DATA and f[2] == 2 and f[3] > 0, 5)
    request = mss("/multistream/1.0.0") + mss("/ipfs/id/1.0.0")
    secure.send(yamux(WINDOW_UPDATE, ACK, 2, 0) + yamux(DATA, 0, 2, len(request), request))
    for start in range(0, len(answer), 60_000):
        piece = answer[start:start + 60_000]
        secure.send(yamux(DATA, 0, 2, len(piece), piece))
    secure.send(yamux(DATA, FIN, 2, 0))
    return frames


@case
def identify_oversize_answer(host, port, limit):
    """The node asks us who we are; we answer with a 100 kB message."""
    secure = upgraded(host, port, "/yamux/1.0.0")
    answer_identify(secure, uvarint(100_000) + os.urandom(100_000))
    reset = read_yamux_until(secure, lambda f: f[2] == 2 and f[1] & (RST | FIN), 5)
    alive = yamux_ping_round_trip(secure)
    return alive, f"identify stream ended ({len(reset)} frames), session still answers pings"


@case
def identify_garbage_answer(host, port, limit):
    """A well-framed identify answer whose body is not a protobuf."""
    secure = upgraded(host, port, "/yamux/1.0.0")
    body = b"\xff\xff\xff\xff" + os.urandom(60)
    answer_identify(secure, uvarint(len(body)) + body)
    time.sleep(0.3)
    alive = yamux_ping_round_trip(secure)
    return alive, "garbage identify answer sent, session still answers pings"


@case
def ping_streams_over_the_limit(host, port, limit):
    """Ten ping streams at once where two are allowed per connection."""
    secure = upgraded(host, port, "/yamux/1.0.0")
    request = mss("/multistream/1.0.0") + mss("/ipfs/ping/1.0.0")
    secure.send(b"".join(yamux(WINDOW_UPDATE, SYN, stream, 0) + yamux(DATA, 0, stream, len(request), request)
                         for stream in range(1, 21, 2)))
    resets = set()
    read_yamux_until(secure, lambda f: (f[1] & RST and resets.add(f[2])) or len(resets) >= 8, 5)
    ping = os.urandom(32)
    secure.send(yamux(DATA, 0, 1, 32, ping))
    alive = yamux_ping_round_trip(secure)
    return len(resets) >= 8 and alive, f"{len(resets)} of 10 ping streams reset, session still answers pings"


@case
def mplex_oversize_frame(host, port, limit):
    secure = upgraded(host, port, "/mplex/6.7.0")
    secure.send(mplex(1, NEW_STREAM) + mplex(1, MESSAGE_INITIATOR, length=2 * 1024 * 1024) + b"x" * 1000)
    seconds, _ = wait_closed_secure(secure, 5)
    return True, f"closed {seconds:.2f}s after a frame announcing 2 MiB"


@case
def mplex_unknown_flag(host, port, limit):
    secure = upgraded(host, port, "/mplex/6.7.0")
    secure.send(mplex(1, 7))
    seconds, _ = wait_closed_secure(secure, 5)
    return True, f"closed {seconds:.2f}s after flag 7"


def mplex_read_until(secure, predicate, timeout):
    deadline = time.monotonic() + timeout
    seen = bytearray()
    while time.monotonic() < deadline:
        seen += secure.recv_exact(1, max(0.05, deadline - time.monotonic())) + secure.plain
        secure.plain = b""
        frames = mplex_frames(bytes(seen))
        if any(predicate(frame) for frame in frames):
            return frames
    raise Silent("frame not seen")


def mplex_alive(secure, number=50_000):
    """An echo stream (numbered above every flood) still works on the session."""
    request = mss("/multistream/1.0.0") + mss("/echo/1.0.0") + b"still here"
    secure.send(mplex(number, NEW_STREAM) + mplex(number, MESSAGE_INITIATOR, request))
    mplex_read_until(secure, lambda f: f[0] == number and f[1] == MESSAGE_RECEIVER and f[2] >= 10, 5)
    return True


@case
def mplex_data_after_close(host, port, limit):
    secure = upgraded(host, port, "/mplex/6.7.0")
    secure.send(mplex(1, NEW_STREAM) + mplex(1, CLOSE_INITIATOR) + mplex(1, MESSAGE_INITIATOR, b"after"))
    frames = mplex_read_until(secure, lambda f: f[0] == 1 and f[1] == RESET_RECEIVER, 5)
    alive = mplex_alive(secure)
    return alive, f"stream 1 reset ({len(frames)} frames), session still echoes"


@case
def mplex_stream_id_reuse(host, port, limit):
    secure = upgraded(host, port, "/mplex/6.7.0")
    secure.send(mplex(1, NEW_STREAM) + mplex(1, NEW_STREAM))
    try:
        frames = mplex_read_until(secure, lambda f: f[0] == 1 and f[1] == RESET_RECEIVER, 5)
        return True, f"reused stream 1 reset ({len(frames)} frames)"
    except Closed:
        return True, "connection closed after the reused stream number"


@case
def mplex_new_stream_flood(host, port, limit):
    secure = upgraded(host, port, "/mplex/6.7.0")
    secure.send(b"".join(mplex(index, NEW_STREAM) for index in range(1, 10_001)))
    seen = bytearray()
    deadline = time.monotonic() + 20
    resets = 0
    while time.monotonic() < deadline and resets < 9_000:
        seen += secure.recv_exact(1, max(0.05, deadline - time.monotonic())) + secure.plain
        secure.plain = b""
        resets = sum(1 for f in mplex_frames(bytes(seen)) if f[1] == RESET_RECEIVER)
    # The first 512 streams were admitted and hold the inbound limit; once we reset them a new stream works.
    secure.send(b"".join(mplex(index, RESET_INITIATOR) for index in range(1, 10_001)))
    alive = mplex_alive(secure)
    return alive and resets >= 9_000, f"{resets} of 10000 NewStreams refused with a reset; after resetting ours, a new stream echoes"


@case
def mplex_reset_flood(host, port, limit):
    secure = upgraded(host, port, "/mplex/6.7.0")
    secure.send(b"".join(mplex(index, NEW_STREAM) + mplex(index, RESET_INITIATOR) for index in range(1, 10_001)))
    alive = mplex_alive(secure)
    return alive, "10000 streams opened and reset; the session still echoes"


def node_receive_queue(sock):
    """Bytes the node's end of this loopback connection holds unread (rx_queue in /proc/net/tcp), or None
    when that end is gone. Both ends live in this machine's tables, so the peer can see whether the node
    consumed what it was sent without reading a byte (reading would let the node's echo drain)."""
    ours, theirs = sock.getsockname()[1], sock.getpeername()[1]
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if local_port == theirs and remote_port == ours:
                return int(fields[4].split(":")[1], 16)
    return None


def wait_until_node_consumed(sock, timeout):
    """Waits until the node has read everything sent to it (or its end closed); False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        queued = node_receive_queue(sock)
        if queued is None or queued == 0:
            return True
        time.sleep(0.05)
    return False


@case
def mplex_never_reading_peer(host, port, limit):
    """Echo stream: we write 12 MiB and never read; the node must stop reading or reset, not buffer it all."""
    # 12 MiB is more than everything that may legitimately absorb the echo before the stream's 4 MiB
    # receive buffer fills: the node's kernel send buffer (tcp_wmem max, 4 MiB here), NIO's write
    # watermark and our 4 KiB receive buffer.
    total = 12 * 1024 * 1024
    secure = upgraded(host, port, "/mplex/6.7.0", receive_buffer=4096)
    request = mss("/multistream/1.0.0") + mss("/echo/1.0.0")
    secure.send(mplex(1, NEW_STREAM) + mplex(1, MESSAGE_INITIATOR, request))
    sent = 0
    secure.wire.sock.settimeout(20)
    try:
        while sent < total:
            secure.send(mplex(1, MESSAGE_INITIATOR, os.urandom(1024 * 1024)))
            sent += 1024 * 1024
    except (Closed, socket.timeout, TimeoutError):
        pass
    # Only once the node has consumed all of it (slow under sanitizers) is its answer settled; reading
    # earlier would let the echo flow and hide whether the node bounds what it holds.
    consumed = wait_until_node_consumed(secure.wire.sock, 30)
    try:
        frames = mplex_read_until(secure, lambda f: f[0] == 1 and f[1] == RESET_RECEIVER, 10)
        return True, f"{sent} bytes written without reading; stream 1 reset ({len(frames)} frames)"
    except Closed:
        return True, f"{sent} bytes written without reading; connection closed"
    except Silent:
        state = "consumed everything" if consumed else "stopped reading"
        return sent < total, f"{sent} bytes accepted, the node {state}, and no reset came"


# ---------------------------------------------------------------- WebSocket (/ws port)


def ws_upgrade_request(key="dGhlIHNhbXBsZSBub25jZQ=="):
    return ("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode()


def ws_read_response_head(wire):
    head = b""
    while b"\r\n\r\n" not in head:
        head += wire.recv_some(READ_TIMEOUT)
        if len(head) > 65536:
            raise RuntimeError("response head over 64 KiB")
    return head.split(b"\r\n\r\n", 1)[0].decode(errors="replace")


def ws_closed_after(wire, limit, what):
    try:
        seconds = wire.wait_closed(limit + 2)
        return True, f"{what}; the node closed the connection after {seconds:.2f}s"
    except Silent as error:
        return False, f"{what}; {error}"


@case
def ws_not_http(host, port, limit):
    """A libp2p TCP client dialing the /ws port: multistream-select bytes where HTTP belongs."""
    wire = Wire(host, port)
    wire.send(mss("/multistream/1.0.0") + mss("/noise"))
    return ws_closed_after(wire, limit, "sent a multistream header instead of an HTTP request")


@case
def ws_oversize_request_headers(host, port, limit):
    """An upgrade request with 64 KiB of header: the node must stop reading it at its bound."""
    wire = Wire(host, port)
    request = ws_upgrade_request()[:-2] + b"X-Padding: " + b"a" * 65536 + b"\r\n\r\n"
    try:
        wire.send(request)
    except Closed:
        return True, "the node closed the connection before the whole 64 KiB header was written"
    return ws_closed_after(wire, limit, "sent 64 KiB of request headers")


@case
def ws_trickle_upgrade_request(host, port, limit):
    """An upgrade request at one byte a second: the handshake deadline must cut it."""
    wire = Wire(host, port)
    seconds = trickle(wire, ws_upgrade_request(), limit)
    return seconds <= limit + 2, f"closed {seconds:.2f}s into a trickled upgrade request (deadline {limit}s)"


@case
def ws_plain_http_get(host, port, limit):
    """A plain HTTP GET (a browser, a health check) on the /ws port: answered 426, then closed."""
    wire = Wire(host, port)
    wire.send(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    status = ws_read_response_head(wire).split("\r\n", 1)[0]
    ok, observed = ws_closed_after(wire, limit, f"answered {status!r}")
    return ok and " 426 " in status, observed


def ws_frame(opcode, payload, mask=True, fin=True):
    head = bytes([(0x80 if fin else 0) | opcode])
    length = len(payload)
    bit = 0x80 if mask else 0
    if length < 126:
        head += bytes([bit | length])
    elif length < 65536:
        head += bytes([bit | 126]) + struct.pack(">H", length)
    else:
        head += bytes([bit | 127]) + struct.pack(">Q", length)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(byte ^ key[index % 4] for index, byte in enumerate(payload))


def ws_upgraded(host, port):
    wire = Wire(host, port)
    wire.send(ws_upgrade_request())
    head = ws_read_response_head(wire)
    if " 101 " not in head.split("\r\n", 1)[0]:
        raise RuntimeError(f"upgrade answered {head.splitlines()[0]!r}")
    return wire


def ws_expect_close_frame(wire, limit, code, what):
    """Reads frames until a close frame (returns its code) or the end of the connection."""
    deadline = time.monotonic() + limit + 2
    data = b""
    while time.monotonic() < deadline:
        try:
            data += wire.recv_some(max(0.05, deadline - time.monotonic()))
        except Closed:
            return False, f"{what}; the connection ended without a close frame"
        while len(data) >= 2:
            opcode, length = data[0] & 0x0F, data[1] & 0x7F
            offset = 2
            if length == 126:
                length, offset = struct.unpack(">H", data[2:4])[0], 4
            elif length == 127:
                length, offset = struct.unpack(">Q", data[2:10])[0], 10
            if len(data) < offset + length:
                break
            payload, data = data[offset:offset + length], data[offset + length:]
            if opcode == 0x8:
                got = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
                reason = payload[2:].decode(errors="replace")
                return got == code, f"{what}; close frame {got} ({reason!r})"
    return False, f"{what}; no close frame within {limit + 2:.1f}s"


@case
def ws_unmasked_client_frame(host, port, limit):
    """After the upgrade, a binary frame without a mask (RFC 6455 5.1: clients mask every frame)."""
    wire = ws_upgraded(host, port)
    wire.send(ws_frame(0x2, mss("/multistream/1.0.0"), mask=False))
    return ws_expect_close_frame(wire, limit, 1002, "sent an unmasked binary frame")


@case
def ws_oversize_frame(host, port, limit):
    """A frame header announcing 2^40 bytes: refused from the header (close 1009), never buffered."""
    wire = ws_upgraded(host, port)
    wire.send(bytes([0x82, 0x80 | 127]) + struct.pack(">Q", 1 << 40) + os.urandom(4) + b"\x00" * 1024)
    return ws_expect_close_frame(wire, limit, 1009, "announced a 1 TiB frame")


# ---------------------------------------------------------------- QUIC (/quic-v1 port)


def libp2p_test_certificate(extension=True, good_signature=True):
    """A self-signed P-256 certificate, with the libp2p extension (signed by a fresh Ed25519 host key) or without."""
    import datetime
    from cryptography.x509.oid import ObjectIdentifier
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.SERIAL_NUMBER, "hostile")])
    now = time.time()
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(datetime.datetime.fromtimestamp(now - 3600, datetime.timezone.utc))
               .not_valid_after(datetime.datetime.fromtimestamp(now + 3600, datetime.timezone.utc)))
    if extension:
        host = Identity()
        spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        signed = b"libp2p-tls-handshake:" + (spki if good_signature else spki[::-1])
        signature = host.key.sign(signed)

        def octets(data):
            return b"\x04" + der_length(len(data)) + data
        body = octets(host.public) + octets(signature)
        value = b"\x30" + der_length(len(body)) + body
        builder = builder.add_extension(
            x509.UnrecognizedExtension(ObjectIdentifier("1.3.6.1.4.1.53594.1.1"), value), critical=True)
    return builder.sign(key, hashes.SHA256()), key


def der_length(length):
    if length < 128:
        return bytes([length])
    raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def quic_handshake_close(host, port, limit, certificate, key):
    """Runs aioquic's client against the node with this certificate; returns how the connection ended."""
    import asyncio
    from aioquic.asyncio import connect
    from aioquic.quic.configuration import QuicConfiguration
    from aioquic.quic.events import ConnectionTerminated

    async def run():
        configuration = QuicConfiguration(is_client=True, alpn_protocols=["libp2p"], verify_mode=ssl.CERT_NONE,
                                          idle_timeout=limit + 5)
        configuration.certificate = certificate
        configuration.private_key = key
        async with connect(host, port, configuration=configuration, wait_connected=False) as client:
            client.transmit()  # without waiting for the handshake, aioquic's connect sends nothing by itself
            await asyncio.wait_for(client.wait_closed(), limit + 3)
            event = getattr(client._quic, "_close_event", None)
            if isinstance(event, ConnectionTerminated):
                return event.error_code, event.reason_phrase
            return None, "closed without a CONNECTION_CLOSE"

    try:
        return asyncio.run(run())
    except asyncio.TimeoutError:
        raise Silent(f"the connection was still open after {limit + 3:.1f}s")


@case
def quic_certificate_without_extension(host, port, limit):
    """A QUIC handshake whose client certificate has no libp2p extension: a CRYPTO_ERROR close."""
    certificate, key = libp2p_test_certificate(extension=False)
    code, reason = quic_handshake_close(host, port, limit, certificate, key)
    return code is not None and 0x100 <= code <= 0x1FF, f"closed with code {code!r}: {reason!r}"


@case
def quic_certificate_bad_signature(host, port, limit):
    """A libp2p extension whose host-key signature covers other bytes: a CRYPTO_ERROR close."""
    certificate, key = libp2p_test_certificate(good_signature=False)
    code, reason = quic_handshake_close(host, port, limit, certificate, key)
    return code is not None and 0x100 <= code <= 0x1FF, f"closed with code {code!r}: {reason!r}"


def quic_initials(host, port, count):
    """`count` first Initials (ClientHello) of distinct aioquic connections, as datagrams."""
    from aioquic.quic.configuration import QuicConfiguration
    from aioquic.quic.connection import QuicConnection
    certificate, key = libp2p_test_certificate()
    datagrams = []
    for _ in range(count):
        configuration = QuicConfiguration(is_client=True, alpn_protocols=["libp2p"], verify_mode=ssl.CERT_NONE)
        configuration.certificate = certificate
        configuration.private_key = key
        connection = QuicConnection(configuration=configuration)
        connection.connect((host, port), now=time.monotonic())
        datagrams += [data for data, _ in connection.datagrams_to_send(now=time.monotonic())][:1]
    return datagrams


def quic_listen_until_quiet(sock, quiet, limit):
    """Collects datagrams until none came for `quiet` seconds (or `limit` passed); returns them with arrival times."""
    start = time.monotonic()
    received = []
    while time.monotonic() - start < limit:
        sock.settimeout(quiet)
        try:
            data, _ = sock.recvfrom(65536)
        except socket.timeout:
            break
        received.append((time.monotonic() - start, data))
    return received


def quic_long_dcid(data):
    if len(data) < 6 or not data[0] & 0x80:
        return None
    length = data[5]
    return data[6:6 + length]


@case
def quic_handshake_stall(host, port, limit):
    """One Initial, then silence: the node must stop retransmitting and drop the handshake at its deadline."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.sendto(quic_initials(host, port, 1)[0], (host, port))
    received = quic_listen_until_quiet(sock, limit + 1.5, limit + 10)
    last = received[-1][0] if received else 0.0
    return bool(received) and last <= limit + 1.0, f"{len(received)} datagrams back, the last {last:.2f}s after the Initial (deadline {limit}s)"


@case
def quic_initial_flood(host, port, limit):
    """200 Initials of distinct connections from one address at once: only a bounded number are answered."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    for datagram in quic_initials(host, port, 200):
        sock.sendto(datagram, (host, port))
    received = quic_listen_until_quiet(sock, limit + 1.5, limit + 15)
    answered = {bytes(dcid) for dcid in (quic_long_dcid(data) for _, data in received) if dcid is not None}
    return 0 < len(answered) <= 16, f"{len(answered)} of 200 connections answered, {len(received)} datagrams back"


@case
def quic_garbage_datagrams(host, port, limit):
    """2000 datagrams of random bytes (short headers for unknown connections, broken long headers): all dropped."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for index in range(2000):
        size = 1 + (index * 7919) % 1400
        data = bytearray(os.urandom(size))
        if index % 2:
            data[0] = 0x40 | (data[0] & 0x3F)
        else:
            data[0] |= 0xC0
            data[1:5] = b"\x00\x00\x00\x01"
        sock.sendto(bytes(data), (host, port))
    received = quic_listen_until_quiet(sock, 1.5, 5)
    return not received, f"2000 garbage datagrams sent, {len(received)} datagrams back"


def main(arguments):
    if arguments[:1] == ["list"]:
        for name, function in CASES.items():
            print(f"{name}\t{(function.__doc__ or '').strip()}")
        return 0
    if len(arguments) < 4 or arguments[0] != "run" or arguments[1] not in CASES:
        print(__doc__, file=sys.stderr)
        return 2
    name, host, port = arguments[1], arguments[2], int(arguments[3])
    limit = float(arguments[5]) if len(arguments) > 5 and arguments[4] == "--upgrade-timeout" else 15.0
    start = time.monotonic()
    try:
        ok, observed = CASES[name](host, port, limit)
    except (Closed, Silent, RuntimeError, OSError) as error:
        ok, observed = False, f"{error.__class__.__name__}: {error}"
    print(json.dumps({"case": name, "ok": bool(ok), "observed": observed,
                      "seconds": round(time.monotonic() - start, 2)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
