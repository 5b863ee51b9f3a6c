/* psq: a sans-IO wrapper around ngtcp2 0.12.1 + GnuTLS for libp2p /quic-v1.
 *
 * The caller owns the socket and the clock. Per connection it:
 *   1. feeds each received datagram in (psq_conn_read),
 *   2. pops every event (psq_conn_next_event) until it returns 0,
 *   3. drains datagrams out (psq_conn_write until it returns 0),
 *   4. re-arms one timer at psq_conn_expiry() and calls psq_conn_handle_expiry when it fires
 *      (then again 2 and 3).
 * Do 2 and 3 also after any API call that queues work (stream writes, resets, close). No
 * callback ever reaches the caller; ngtcp2/gnutls callbacks stay inside psq.c (the only
 * exception is the optional certificate check, psq_verify_fn).
 *
 * Times are CLOCK_MONOTONIC nanoseconds (ngtcp2_tstamp), supplied by the caller. Functions
 * without a `now` argument use the time of the last call that had one.
 *
 * Threads: a psq_conn is driven by one thread at a time (e.g. its NIO event loop). Different
 * connections may be driven concurrently. psq has no global mutable state except the
 * process-wide stateless-reset secret that is generated once (pthread_once) when a
 * psq_config without static_secret is used. A psq_identity is immutable and may be shared.
 *
 * Connection lifetime: OPEN -> (local close or error) CLOSING, or (peer closed / stateless reset)
 * DRAINING -> FINAL. The first PSQ_EV_CLOSED says the connection is over and why; the caller
 * must then keep routing its datagrams to it and keep driving write + timer until a
 * PSQ_EV_CLOSED with (flags & PSQ_EVF_FINAL) arrives: only then psq_conn_free it (and, on a
 * listener, drop its routes). Endings without a closing/draining period (idle timeout,
 * handshake timeout, version negotiation, dropped attempt, a close before anything was sent)
 * produce a single PSQ_EV_CLOSED that already has PSQ_EVF_FINAL. psq_conn_free may be called
 * at any time (then nothing more is sent).
 */
#ifndef PSQ_H
#define PSQ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct psq_conn psq_conn;

/* Return codes of psq calls (all < 0; none collides with ngtcp2's -2xx/-5xx). */
enum psq_error {
  PSQ_OK = 0,
  PSQ_ERR_INVALID = -1,          /* bad argument / packet not applicable */
  PSQ_ERR_CLOSED = -2,           /* connection is over (closing, draining or final) */
  PSQ_ERR_STREAM_NOT_FOUND = -3, /* unknown or already freed stream */
  PSQ_ERR_STREAM_STATE = -4,     /* write side already finished (FIN requested) or reset */
  PSQ_ERR_WOULDBLOCK = -5,       /* psq_stream_write: would exceed the send buffer cap */
  PSQ_ERR_STREAM_ID_BLOCKED = -6,/* psq_stream_open: peer gives no stream credit now */
  PSQ_ERR_NOMEM = -7,
};

/* Credentials: one self-signed certificate (DER) and its private key (DER,
 * PKCS#8 or SEC1/"EC PRIVATE KEY"), both made by the caller (in peerscope:
 * the Swift TLSCertificateFactory). Shared by all connections; immutable. */
typedef struct psq_identity psq_identity;
psq_identity *psq_identity_new(const uint8_t *cert_der, size_t cert_len, const uint8_t *key_der,
                               size_t key_len, char *err, size_t errlen);
void psq_identity_free(psq_identity *id);

/* All fields optional (0/NULL = default). The struct is copied by psq_client_new /
 * psq_server_accept; static_secret is copied too. */
typedef struct psq_config {
  uint64_t max_idle_timeout_ns;  /* 0: 30 s (quic-go's default) */
  uint64_t keep_alive_ns;        /* 0: 15 s (go-libp2p's KeepAlivePeriod); >= 2^62 (UINT64_MAX): off */
  uint64_t handshake_timeout_ns; /* 0: 10 s */
  uint64_t max_streams_bidi;     /* remote may have this many open at once; 0: 256 (go-libp2p) */
  uint64_t stream_window;        /* initial per-stream receive window; 0: 1 MiB */
  uint64_t conn_window;          /* initial connection receive window; 0: 1.5 MiB */
  uint64_t max_stream_window;    /* per-stream window auto-tuning ceiling; 0: 10 MiB (go-libp2p) */
  uint64_t max_conn_window;      /* connection window auto-tuning ceiling; 0: 15 MiB (go-libp2p) */
  const uint8_t *static_secret;  /* 32 bytes for stateless reset tokens; NULL: one random secret
                                    per process. Use the same secret for psq_write_stateless_reset.
                                    (go-libp2p derives it from the host key with HKDF-SHA256,
                                    info "libp2p quic stateless reset key"; that survives restarts) */
  uint64_t stream_send_buffer;   /* cap on bytes accepted by psq_stream_write and not yet
                                    acknowledged, per stream; 0: 1 MiB */
  const char *alpn;              /* NULL: "libp2p". Only for negative tests: libp2p needs "libp2p" */
  int congestion_control;        /* enum psq_congestion_control; 0: BBRv2 */
} psq_config;

/* Congestion controllers of ngtcp2 0.12.1. Its CUBIC and Reno stop growing the window at 2.89 x
 * (delivery rate x min RTT); min RTT is the idle RTT, so on a fast path whose RTT rises under
 * load the window stays near what was already delivered (measured on loopback: cwnd frozen at
 * ~180 KB, ~200 MB/s). BBRv2 models the path instead and is the default. */
enum psq_congestion_control {
  PSQ_CC_DEFAULT = 0,
  PSQ_CC_BBR2,
  PSQ_CC_CUBIC,
  PSQ_CC_RENO,
};

/* Events. data/len point into the connection and stay valid until the next
 * psq_conn_next_event call on the same connection or psq_conn_free. data is NUL-terminated
 * (len excludes the NUL) so reason texts can be used as C strings. */
enum psq_event_type {
  PSQ_EV_NONE = 0,
  PSQ_EV_MILESTONE,          /* code = enum psq_milestone (tracing/metrics only) */
  PSQ_EV_PEER_CERTIFICATE,   /* data = peer cert DER, seen before the handshake completes; queued
                                before verify_fn runs, so a rejected certificate is reported too
                                (PSQ_EV_CLOSED kind PSQ_CLOSE_PEER_CERT_REJECTED follows) */
  PSQ_EV_HANDSHAKE_COMPLETED,/* 1-RTT keys installed, ALPN "libp2p" negotiated */
  PSQ_EV_STREAM_OPENED,      /* stream_id opened by the peer */
  PSQ_EV_STREAM_DATA,        /* stream_id, data/len (in order), fin = 1 on the last data. Return
                                the bytes with psq_stream_consumed once processed */
  PSQ_EV_STREAM_RESET,       /* peer sent RESET_STREAM (its write side is gone): stream_id, code */
  PSQ_EV_STREAM_STOP_SENDING,/* peer sent STOP_SENDING; psq/ngtcp2 answered with RESET_STREAM, our
                                write side is gone. ngtcp2 0.12.1 has no callback for a received
                                STOP_SENDING: psq notices it when it next tries to send on the
                                stream (then code = 0, flags has PSQ_EVF_CODE_UNKNOWN) or when the
                                stream closes (then code = the peer's code) */
  PSQ_EV_STREAM_CLOSED,      /* both directions done, psq's state freed: stream_id, code = the
                                application error code of a reset/STOP_SENDING, else 0 */
  PSQ_EV_STREAMS_AVAILABLE,  /* more local bidi streams may be opened (code = new max) */
  PSQ_EV_CID_NEW,            /* server: route datagrams with DCID = data/len to this conn */
  PSQ_EV_CID_RETIRED,        /* server: stop routing DCID = data/len */
  PSQ_EV_CLOSED,             /* connection over; see "Connection lifetime" above. kind = enum
                                psq_close_kind, code = QUIC error code on the wire (sent or
                                received; 0 for kinds without one), fin = 1 if code is an
                                application error code, data = reason in words. Emitted once when
                                the connection ends and once more with PSQ_EVF_FINAL (same kind,
                                code, reason) when it may be freed, or once with PSQ_EVF_FINAL */
  PSQ_EV_STREAM_WRITABLE,    /* stream_id: unacknowledged bytes fell below stream_send_buffer/2
                                (after a refused psq_stream_write, or after reaching the half
                                mark); write more now */
};

/* psq_event.flags */
enum {
  PSQ_EVF_FINAL = 1,        /* PSQ_EV_CLOSED: closing/draining period over: free the connection */
  PSQ_EVF_CODE_UNKNOWN = 2, /* PSQ_EV_STREAM_STOP_SENDING: the peer's error code is not known */
};

/* PSQ_EV_CLOSED kind */
enum psq_close_kind {
  PSQ_CLOSE_NONE = 0,
  PSQ_CLOSE_LOCAL_APP,          /* psq_conn_close (code = our application code) */
  PSQ_CLOSE_LOCAL_ERROR,        /* we detected a protocol or TLS error and sent CONNECTION_CLOSE
                                   with transport error `code` (TLS: 0x100 + alert) */
  PSQ_CLOSE_PEER_CERT_REJECTED, /* our verify_fn (or the one-certificate rule) rejected the peer's
                                   certificate; we sent CRYPTO_ERROR 0x12a; reason has its message */
  PSQ_CLOSE_PEER_APP,           /* peer's CONNECTION_CLOSE with application error `code` */
  PSQ_CLOSE_PEER_TRANSPORT,     /* peer's CONNECTION_CLOSE with transport error `code` */
  PSQ_CLOSE_IDLE_TIMEOUT,       /* nothing received for the negotiated idle timeout (silent) */
  PSQ_CLOSE_HANDSHAKE_TIMEOUT,  /* handshake not completed in handshake_timeout_ns (silent) */
  PSQ_CLOSE_VERSION_NEGOTIATION,/* client: server answered with Version Negotiation, no QUIC v1 */
  PSQ_CLOSE_STATELESS_RESET,    /* a valid stateless reset arrived: the peer lost our state */
  PSQ_CLOSE_DROPPED,            /* server: connection attempt dropped without reply */
};

enum psq_milestone {
  PSQ_MS_INITIAL_SENT = 1,        /* first datagram written (client) */
  PSQ_MS_INITIAL_RECEIVED,        /* first CRYPTO data at Initial level (ServerHello/ClientHello) */
  PSQ_MS_HANDSHAKE_RECEIVED,      /* first CRYPTO data at Handshake level */
  PSQ_MS_TX_1RTT_KEY,             /* 1-RTT write key installed */
  PSQ_MS_RX_1RTT_KEY,             /* 1-RTT read key installed */
  PSQ_MS_HANDSHAKE_CONFIRMED,     /* HANDSHAKE_DONE received (client) / sent (server) */
};

typedef struct psq_event {
  int type;
  int64_t stream_id;
  uint64_t code;
  int fin;        /* STREAM_DATA: FIN; CLOSED: code is an application error code */
  uint32_t flags; /* PSQ_EVF_* */
  int kind;       /* CLOSED: enum psq_close_kind */
  const uint8_t *data;
  size_t len;
  uint64_t ts;    /* the timestamp passed to the call that produced the event */
} psq_event;

/* Optional in-handshake check of the peer certificate (runs inside gnutls' certificate verify
 * hook, i.e. inside psq_conn_read, before the handshake can complete; it must not call psq on
 * the same connection). Return 0 to accept; anything else aborts the handshake with TLS alert
 * bad_certificate (QUIC CRYPTO_ERROR 0x12a). msg is a NUL-filled buffer of msgcap bytes for the
 * reason of a rejection; it ends up in the PSQ_EV_CLOSED reason (kind
 * PSQ_CLOSE_PEER_CERT_REJECTED). NULL verify: accept any (single) certificate and let the caller
 * check PSQ_EV_PEER_CERTIFICATE before using the connection. */
typedef int (*psq_verify_fn)(void *ctx, const uint8_t *der, size_t len, char *msg, size_t msgcap);

psq_conn *psq_client_new(const psq_config *cfg, const psq_identity *id,
                         const struct sockaddr *local, socklen_t locallen,
                         const struct sockaddr *remote, socklen_t remotelen,
                         psq_verify_fn verify, void *verify_ctx, uint64_t now,
                         char *err, size_t errlen);

/* Server side. psq_dispatch_info tells the listener what to do with a datagram:
 * PSQ_DISPATCH_ROUTE: look dcid up in the routing table (fill it from PSQ_EV_CID_NEW/RETIRED);
 *   if not found, ask psq_dispatch_unknown.
 * PSQ_DISPATCH_VN: long header with a version other than QUIC v1 in a datagram of >= 1200
 *   bytes: answer with psq_write_version_negotiation (it lists only v1).
 * <0: drop. */
enum { PSQ_DISPATCH_ROUTE = 0, PSQ_DISPATCH_NEW = 1, PSQ_DISPATCH_VN = 2, PSQ_DISPATCH_RESET = 3 };
int psq_dispatch_info(const uint8_t *pkt, size_t len, const uint8_t **dcid, size_t *dcidlen);
/* For a datagram whose DCID routes nowhere: PSQ_DISPATCH_NEW = a QUIC v1 Initial that may start
 * a connection (psq_server_accept); PSQ_DISPATCH_RESET = a short-header packet: the sender
 * believes in a connection we do not have; may be answered with psq_write_stateless_reset
 * (rate-limit that yourself); <0 = drop. */
int psq_dispatch_unknown(const uint8_t *pkt, size_t len);
/* Builds the server connection from the client's first Initial, and reads it. NULL: not
 * accepted (err says why). The connection may already be closing (e.g. ALPN mismatch): drive
 * it as usual so the CONNECTION_CLOSE goes out. */
psq_conn *psq_server_accept(const psq_config *cfg, const psq_identity *id, const uint8_t *pkt,
                            size_t len, const struct sockaddr *local, socklen_t locallen,
                            const struct sockaddr *remote, socklen_t remotelen,
                            psq_verify_fn verify, void *verify_ctx, uint64_t now, char *err,
                            size_t errlen);
/* Version Negotiation reply listing only QUIC v1; <0 if pkt does not call for one. */
ssize_t psq_write_version_negotiation(const uint8_t *pkt, size_t len, uint8_t *out, size_t cap);
/* Stateless reset (RFC 9000 10.3) for a short-header packet pkt whose DCID (our 16-byte CIDs)
 * is unknown. static_secret: the 32 bytes given in psq_config.static_secret, or NULL for the
 * process secret. Size rules: no reply (returns 0) to packets shorter than
 * PSQ_STATELESS_RESET_MIN_TRIGGER (they cannot be valid 1-RTT packets for our CIDs); the reply is
 * always shorter than pkt (no reset loops, no amplification) and at least 21 bytes; for pkt of
 * <= 43 bytes it is len - 1 bytes. <0: not a short-header packet / bad argument. */
#define PSQ_STATELESS_RESET_MIN_TRIGGER 37 /* 1 + 16 (DCID) + 4 (max pn) + 16 (HP sample) */
ssize_t psq_write_stateless_reset(const uint8_t *static_secret, const uint8_t *pkt, size_t len,
                                  uint8_t *out, size_t cap);

/* Datagram plumbing.
 * read: 0 ok; PSQ_ERR_CLOSED: the connection is over (a PSQ_EV_CLOSED is or was queued). Keep
 *   feeding its datagrams anyway until FINAL: in the closing period psq answers them with the
 *   saved CONNECTION_CLOSE, rate-limited: a resend is due on the 1st, 2nd, 4th, 8th... packet
 *   received, and at most one goes out per psq_conn_write drain; servers also keep to 3x the
 *   bytes received before the handshake completed. In the draining period it stays silent.
 *   Both periods last 3 x PTO (ngtcp2_conn_get_pto at the time; ~80-130 ms on loopback, ~3 s
 *   if no RTT sample exists yet, e.g. a handshake that failed early).
 * write: bytes of one datagram (send it to psq_conn_dest), 0 = nothing more now, <0 fatal.
 * expiry: absolute deadline for psq_conn_handle_expiry, UINT64_MAX = none. Covers the
 *   closing/draining period (3 x PTO) too; 0 = call write now.
 * handle_expiry: 0, or PSQ_ERR_CLOSED if the connection is over (FINAL is signalled by the
 *   event). */
int psq_conn_read(psq_conn *c, const uint8_t *pkt, size_t len, const struct sockaddr *remote,
                  socklen_t remotelen, uint64_t now);
ssize_t psq_conn_write(psq_conn *c, uint8_t *out, size_t cap, uint64_t now);
/* Destination of the datagram last returned by psq_conn_write (the current path's remote
 * address; differs from the dialed/accepted address only after migration/NAT rebinding). */
const struct sockaddr *psq_conn_dest(psq_conn *c, socklen_t *len);
uint64_t psq_conn_expiry(psq_conn *c);
int psq_conn_handle_expiry(psq_conn *c, uint64_t now);
int psq_conn_next_event(psq_conn *c, psq_event *ev); /* 1 = got one, 0 = queue empty */

/* Streams (bidirectional only).
 *
 * Sending: psq_stream_write copies the bytes; psq keeps them until the peer acknowledges them
 * (ngtcp2 retransmits from that memory). At most stream_send_buffer bytes per stream may be
 * accepted and unacknowledged: a write that would exceed it is refused whole with
 * PSQ_ERR_WOULDBLOCK (nothing taken). Write at most psq_stream_write_room() bytes and keep the
 * rest until PSQ_EV_STREAM_WRITABLE (queued when unacked bytes fall below half the cap; room 0
 * guarantees one). Writes larger than half the cap can be refused even right after WRITABLE.
 * FIN: fin = 1 on the last write, or psq_stream_shutdown_write (no data). A zero-length write
 * with fin = 0 does nothing.
 *
 * Receiving: every byte delivered in PSQ_EV_STREAM_DATA must be returned with
 * psq_stream_consumed once processed (also after the stream has closed: then only connection
 * credit is returned). Bound: per stream, delivered-but-unconsumed bytes never exceed the
 * stream's receive window (stream_window, auto-tuned by psq up to max_stream_window), and per
 * connection the connection window (up to max_conn_window); ngtcp2 enforces flow control, and
 * psq's event queue only holds data within those windows. After a RESET_STREAM from the peer,
 * psq_stream_stop_reading or psq_stream_reset, psq returns the unconsumed bytes of that stream
 * itself; later psq_stream_consumed calls for it are ignored.
 *
 * Close bookkeeping: PSQ_EV_STREAM_CLOSED (and the state is freed) once both directions are
 * done: our side FIN sent and all data acknowledged, or reset (RESET_STREAM acknowledged); the
 * peer's side FIN received with all data, or reset by the peer. So a half-closed stream (one
 * FIN) stays open until the other direction ends too. */
int64_t psq_stream_open(psq_conn *c); /* stream id, or PSQ_ERR_STREAM_ID_BLOCKED (wait for
                                         STREAMS_AVAILABLE) / PSQ_ERR_CLOSED */
int psq_stream_write(psq_conn *c, int64_t sid, const uint8_t *data, size_t len, int fin);
uint64_t psq_stream_write_room(psq_conn *c, int64_t sid); /* cap - unacked; 0 if not writable */
int psq_stream_shutdown_write(psq_conn *c, int64_t sid); /* FIN after the buffered data; 0 also
                                                            if FIN was already requested */
int psq_stream_stop_reading(psq_conn *c, int64_t sid, uint64_t code); /* STOP_SENDING(code) */
int psq_stream_reset(psq_conn *c, int64_t sid, uint64_t code); /* RESET_STREAM + STOP_SENDING */
int psq_stream_consumed(psq_conn *c, int64_t sid, size_t n); /* returns receive credit */
uint64_t psq_stream_unacked(psq_conn *c, int64_t sid); /* accepted, not yet acknowledged */
/* Flow-control credit, like yamux windows: what the peer still lets us send on the stream beyond
 * what psq has already sent (ngtcp2_conn_get_max_stream_data_left), and what we still let the
 * peer send (our advertised-or-granted window minus bytes delivered). 0 for unknown streams. */
uint64_t psq_stream_send_credit(psq_conn *c, int64_t sid);
uint64_t psq_stream_recv_credit(psq_conn *c, int64_t sid);
uint64_t psq_conn_send_credit(psq_conn *c); /* connection level (ngtcp2_conn_get_max_data_left) */

/* The path as ngtcp2's recovery and congestion control see it (all 0 before the connection is
 * open or after it ended). */
typedef struct psq_path_stats {
  uint64_t smoothed_rtt_ns, min_rtt_ns, latest_rtt_ns;
  uint64_t cwnd, bytes_in_flight;
  uint64_t pacing_rate;  /* bytes per second the pacer allows (0: none) */
  size_t max_udp_payload; /* datagram payload size in use (path MTU discovery moves it) */
} psq_path_stats;
void psq_conn_path_stats(psq_conn *c, psq_path_stats *out);
size_t psq_conn_stream_count(psq_conn *c);  /* streams psq holds state for */

/* Closing: queues CONNECTION_CLOSE (application error code) for the next psq_conn_write and
 * queues PSQ_EV_CLOSED (kind PSQ_CLOSE_LOCAL_APP). Data still buffered on streams is not sent:
 * finish streams first for a graceful end. */
int psq_conn_close(psq_conn *c, uint64_t app_error_code, const char *reason);
int psq_conn_is_closed(psq_conn *c); /* 1 once the connection is over (first PSQ_EV_CLOSED) */
int psq_conn_is_final(psq_conn *c);  /* 1 once it may be freed (PSQ_EVF_FINAL) */
const uint8_t *psq_conn_peer_cert(psq_conn *c, size_t *len);
const char *psq_conn_alpn(psq_conn *c);
const char *psq_conn_cipher(psq_conn *c);
void psq_conn_free(psq_conn *c);

#ifdef __cplusplus
}
#endif
#endif
