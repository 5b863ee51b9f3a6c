/* psq.c: sans-IO libp2p QUIC connection on ngtcp2 0.12.1 + GnuTLS 3.7 (see psq.h). */
#define _POSIX_C_SOURCE 200809L
#include "psq.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>

#define PSQ_SCIDLEN 16
#define PSQ_ALPN "libp2p"
/* TLS 1.3 only, QUIC-usable AEADs (no CCM_8), no middlebox compat mode (RFC 9001 8.4). */
#define PSQ_PRIORITY                                                                            \
  "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:"    \
  "-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1:%DISABLE_TLS13_COMPAT_MODE"
#define PSQ_MIN_INITIAL_DGRAM 1200 /* RFC 9000 14.1: no VN / no Initial below this */

/* ------------------------------------------------------------------------------------------ */
/* process-wide stateless reset secret (the only global state; written once) */

static uint8_t g_secret[32];
static pthread_once_t g_secret_once = PTHREAD_ONCE_INIT;

static void g_secret_init(void) {
  if (gnutls_rnd(GNUTLS_RND_KEY, g_secret, sizeof(g_secret)) != 0) abort();
}

static const uint8_t *process_secret(void) {
  pthread_once(&g_secret_once, g_secret_init);
  return g_secret;
}

/* ------------------------------------------------------------------------------------------ */
/* types */

struct psq_identity {
  gnutls_certificate_credentials_t cred;
};

typedef struct chunk {
  struct chunk *next;
  uint64_t off;
  size_t len;
  uint8_t data[];
} chunk;

typedef struct stream stream;
struct stream {
  stream *hnext;            /* hash chain */
  stream *sq_prev, *sq_next;/* send queue (streams with unsent data or FIN, not blocked) */
  int64_t id;
  chunk *head, *tail;       /* accepted, not yet fully acknowledged */
  chunk *send_at;           /* first chunk that may hold unsent bytes (NULL: head); keeps each
                               packet from walking the sent-but-unacknowledged chunks */
  uint64_t write_off;       /* bytes accepted by psq_stream_write */
  uint64_t sent_off;        /* bytes handed to ngtcp2 */
  uint64_t acked_off;       /* contiguous bytes acknowledged */
  uint64_t rx_delivered;    /* bytes given to the caller in STREAM_DATA events */
  uint64_t rx_consumed;     /* bytes returned with psq_stream_consumed (or by psq itself) */
  uint64_t rx_granted;      /* receive limit granted to ngtcp2: window + consumed */
  uint64_t rx_window;       /* current receive window (auto-tuned) */
  uint64_t rx_since_tune;   /* credit returned since the last window update point */
  uint64_t rx_tune_ts;      /* time of the last window update point, UINT64_MAX = none */
  unsigned in_sq : 1, blocked : 1, fin_req : 1, fin_sent : 1, wr_reset : 1, wr_stopped : 1,
      want_writable : 1, rd_fin : 1, rd_reset : 1, rd_stopped : 1;
};

typedef struct evq_item {
  psq_event ev;
  uint8_t *owned;
} evq_item;

enum { ST_OPEN, ST_CLOSE_PENDING, ST_CLOSING, ST_DRAINING, ST_FINAL };

struct psq_conn {
  ngtcp2_conn *conn;
  gnutls_session_t tls;
  ngtcp2_crypto_conn_ref ref;
  struct sockaddr_storage local, remote, dest;
  socklen_t locallen, remotelen, destlen;
  psq_config cfg; /* defaults resolved; static_secret points at secret */
  int is_server;
  int state;
  /* closing */
  ngtcp2_connection_close_error ccerr; /* what we send */
  uint8_t ccerr_reason[128];          /* ccerr.reason points here: the caller's string may be gone */
  int close_kind, close_app;
  uint64_t close_code;
  char reason[640];
  uint8_t *closebuf;
  size_t closelen;
  uint64_t close_deadline;
  uint64_t closing_rx, next_resend, resends;
  int resend_pending;
  uint64_t rx_bytes, tx_bytes; /* for the anti-amplification limit while closing */
  /* why things failed */
  int tls_err;           /* fatal gnutls error of the handshake */
  uint8_t hs_fail_alert; /* handshake_completed callback refused: alert to send */
  const char *hs_fail_msg;
  int verify_failed;
  char verify_msg[256];
  int got_sr;
  uint32_t vn_versions[16];
  size_t nvn;
  int got_vn;
  /* peer certificate check */
  psq_verify_fn verify;
  void *verify_ctx;
  uint8_t *peer_cert;
  size_t peer_cert_len;
  /* streams: chained hash table + send queue */
  stream **buckets;
  size_t nbuckets, nstreams;
  stream *sq_head, *sq_tail;
  uint64_t rx_orphan; /* delivered, unconsumed bytes of streams already freed */
  /* events */
  evq_item *q;
  size_t qhead, qlen, qcap;
  uint8_t *last_owned;
  int initial_sent, initial_rx, hs_rx, hs_done;
  uint64_t now, created_ts, last_rx_ts;
  uint8_t secret[32];
  char alpn_want[32];
  char alpn[32];
};

/* ------------------------------------------------------------------------------------------ */
/* names (close reasons in words) */

static const char *transport_error_name(uint64_t code) {
  static const char *const names[] = {
      "NO_ERROR",           "INTERNAL_ERROR",        "CONNECTION_REFUSED",
      "FLOW_CONTROL_ERROR", "STREAM_LIMIT_ERROR",    "STREAM_STATE_ERROR",
      "FINAL_SIZE_ERROR",   "FRAME_ENCODING_ERROR",  "TRANSPORT_PARAMETER_ERROR",
      "CONNECTION_ID_LIMIT_ERROR", "PROTOCOL_VIOLATION", "INVALID_TOKEN",
      "APPLICATION_ERROR",  "CRYPTO_BUFFER_EXCEEDED", "KEY_UPDATE_ERROR",
      "AEAD_LIMIT_REACHED", "NO_VIABLE_PATH",        "VERSION_NEGOTIATION_ERROR"};
  if (code < sizeof(names) / sizeof(names[0])) return names[code];
  if (code >= 0x100 && code <= 0x1ff) return "CRYPTO_ERROR";
  return NULL;
}

static const char *tls_alert_name(unsigned a, const char **hint) {
  *hint = "";
  switch (a) {
  case 0: return "close_notify";
  case 10: return "unexpected_message";
  case 20: return "bad_record_mac";
  case 22: return "record_overflow";
  case 40: *hint = " - no acceptable TLS parameters"; return "handshake_failure";
  case 42: *hint = " - certificate rejected"; return "bad_certificate";
  case 43: return "unsupported_certificate";
  case 44: return "certificate_revoked";
  case 45: return "certificate_expired";
  case 46: return "certificate_unknown";
  case 47: return "illegal_parameter";
  case 48: return "unknown_ca";
  case 49: return "access_denied";
  case 50: return "decode_error";
  case 51: return "decrypt_error";
  case 70: *hint = " - no common TLS version"; return "protocol_version";
  case 71: return "insufficient_security";
  case 80: return "internal_error";
  case 86: return "inappropriate_fallback";
  case 90: return "user_canceled";
  case 109: return "missing_extension";
  case 110: return "unsupported_extension";
  case 112: return "unrecognized_name";
  case 113: return "bad_certificate_status_response";
  case 115: return "unknown_psk_identity";
  case 116: *hint = " - no client certificate"; return "certificate_required";
  case 120: *hint = " - ALPN mismatch"; return "no_application_protocol";
  default: return "unknown alert";
  }
}

static void describe_transport(char *buf, size_t cap, uint64_t code) {
  const char *n = transport_error_name(code);
  if (code >= 0x100 && code <= 0x1ff) {
    const char *hint;
    const char *an = tls_alert_name((unsigned)(code & 0xff), &hint);
    snprintf(buf, cap, "CRYPTO_ERROR 0x%llx (TLS alert %u %s%s)", (unsigned long long)code,
             (unsigned)(code & 0xff), an, hint);
  } else if (n) {
    snprintf(buf, cap, "%s (0x%llx)", n, (unsigned long long)code);
  } else {
    snprintf(buf, cap, "unknown transport error 0x%llx", (unsigned long long)code);
  }
}

static void version_name(char *buf, size_t cap, uint32_t v) {
  if (v == NGTCP2_PROTO_VER_V1)
    snprintf(buf, cap, "0x%08x (QUIC v1)", v);
  else if (v == 0x6b3343cfu)
    snprintf(buf, cap, "0x%08x (QUIC v2)", v);
  else if (v == 0x709a50c4u)
    snprintf(buf, cap, "0x%08x (QUIC v2 draft)", v);
  else if ((v & 0xffffff00u) == 0xff000000u)
    snprintf(buf, cap, "0x%08x (draft-%u)", v, v & 0xffu);
  else if ((v & 0x0f0f0f0fu) == 0x0a0a0a0au)
    snprintf(buf, cap, "0x%08x (reserved/grease)", v);
  else
    snprintf(buf, cap, "0x%08x", v);
}

/* The peer's reason phrase, printable ASCII only. */
static void sanitize(char *out, size_t cap, const uint8_t *in, size_t len) {
  size_t n = 0;
  for (size_t i = 0; i < len && n + 1 < cap; i++)
    out[n++] = (in[i] >= 0x20 && in[i] < 0x7f && in[i] != '"') ? (char)in[i] : '?';
  out[n] = 0;
}

static void set_reason(psq_conn *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
  va_end(ap);
}

/* ------------------------------------------------------------------------------------------ */
/* events */

static void push_ev(psq_conn *c, int type, int64_t sid, uint64_t code, int fin, uint32_t flags,
                    int kind, const uint8_t *data, size_t len) {
  if (c->qhead + c->qlen == c->qcap) {
    if (c->qhead > 0) {
      memmove(c->q, c->q + c->qhead, c->qlen * sizeof(*c->q));
      c->qhead = 0;
    } else {
      size_t ncap = c->qcap ? c->qcap * 2 : 16;
      evq_item *nq = realloc(c->q, ncap * sizeof(*nq));
      if (!nq) abort();
      c->q = nq;
      c->qcap = ncap;
    }
  }
  evq_item *it = &c->q[c->qhead + c->qlen++];
  memset(it, 0, sizeof(*it));
  it->ev.type = type;
  it->ev.stream_id = sid;
  it->ev.code = code;
  it->ev.fin = fin;
  it->ev.flags = flags;
  it->ev.kind = kind;
  it->ev.ts = c->now;
  if (len) {
    it->owned = malloc(len + 1);
    if (!it->owned) abort();
    memcpy(it->owned, data, len);
    it->owned[len] = 0;
    it->ev.data = it->owned;
    it->ev.len = len;
  }
}

static void push_event(psq_conn *c, int type, int64_t sid, uint64_t code, int fin,
                       const uint8_t *data, size_t len) {
  push_ev(c, type, sid, code, fin, 0, 0, data, len);
}

int psq_conn_next_event(psq_conn *c, psq_event *ev) {
  free(c->last_owned);
  c->last_owned = NULL;
  if (c->qlen == 0) {
    c->qhead = 0;
    return 0;
  }
  evq_item *it = &c->q[c->qhead++];
  c->qlen--;
  *ev = it->ev;
  c->last_owned = it->owned;
  return 1;
}

/* ------------------------------------------------------------------------------------------ */
/* connection end */

static void emit_closed(psq_conn *c, uint32_t flags) {
  push_ev(c, PSQ_EV_CLOSED, -1, c->close_code, c->close_app, flags, c->close_kind,
          (const uint8_t *)c->reason, strlen(c->reason));
}

/* Ends at once: no closing/draining period. */
static void end_now(psq_conn *c, int kind, uint64_t code, int app) {
  c->close_kind = kind;
  c->close_code = code;
  c->close_app = app;
  c->state = ST_FINAL;
  emit_closed(c, PSQ_EVF_FINAL);
}

/* c->ccerr is set: CONNECTION_CLOSE goes out on the next write, then the closing period. */
static void begin_close(psq_conn *c, int kind) {
  c->close_kind = kind;
  c->close_code = c->ccerr.error_code;
  c->close_app = c->ccerr.type == NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_APPLICATION;
  c->state = ST_CLOSE_PENDING;
  emit_closed(c, 0);
}

static void begin_draining(psq_conn *c, int kind, uint64_t code, int app) {
  c->close_kind = kind;
  c->close_code = code;
  c->close_app = app;
  c->state = ST_DRAINING;
  c->close_deadline = c->now + 3 * ngtcp2_conn_get_pto(c->conn);
  emit_closed(c, 0);
}

static void local_error(psq_conn *c, int rv) {
  char sent[160];
  int tls = rv == NGTCP2_ERR_CRYPTO || c->hs_fail_alert || c->verify_failed;
  if (c->hs_fail_alert)
    ngtcp2_connection_close_error_set_transport_error_tls_alert(&c->ccerr, c->hs_fail_alert,
                                                                NULL, 0);
  else if (tls)
    ngtcp2_connection_close_error_set_transport_error_tls_alert(
        &c->ccerr, ngtcp2_conn_get_tls_alert(c->conn), NULL, 0);
  else
    ngtcp2_connection_close_error_set_transport_error_liberr(&c->ccerr, rv, NULL, 0);
  describe_transport(sent, sizeof(sent), c->ccerr.error_code);
  if (c->verify_failed) {
    set_reason(c, "we rejected the peer's certificate: %s; sent %s", c->verify_msg, sent);
    begin_close(c, PSQ_CLOSE_PEER_CERT_REJECTED);
  } else if (tls) {
    set_reason(c, "TLS handshake failed on our side: %s; sent %s",
               c->hs_fail_msg ? c->hs_fail_msg
                              : c->tls_err ? gnutls_strerror(c->tls_err) : ngtcp2_strerror(rv),
               sent);
    begin_close(c, PSQ_CLOSE_LOCAL_ERROR);
  } else {
    set_reason(c, "error on our side: %s; sent %s", ngtcp2_strerror(rv), sent);
    begin_close(c, PSQ_CLOSE_LOCAL_ERROR);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* streams: chained hash table keyed by stream id, plus a round-robin send queue */

static size_t shash(int64_t id, size_t nb) {
  uint64_t x = (uint64_t)id;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return (size_t)x & (nb - 1);
}

static stream *find_stream(psq_conn *c, int64_t id) {
  if (!c->nbuckets) return NULL;
  for (stream *s = c->buckets[shash(id, c->nbuckets)]; s; s = s->hnext)
    if (s->id == id) return s;
  return NULL;
}

/* Makes room for one more stream (load factor <= 1). */
static int table_reserve(psq_conn *c) {
  if (c->nstreams + 1 <= c->nbuckets) return 0;
  size_t nb = c->nbuckets ? c->nbuckets * 2 : 16;
  stream **b = calloc(nb, sizeof(*b));
  if (!b) return -1;
  for (size_t i = 0; i < c->nbuckets; i++) {
    for (stream *s = c->buckets[i], *next; s; s = next) {
      next = s->hnext;
      size_t h = shash(s->id, nb);
      s->hnext = b[h];
      b[h] = s;
    }
  }
  free(c->buckets);
  c->buckets = b;
  c->nbuckets = nb;
  return 0;
}

static stream *stream_new(psq_conn *c) {
  stream *s = calloc(1, sizeof(*s));
  if (!s) return NULL;
  s->rx_window = s->rx_granted = c->cfg.stream_window;
  s->rx_tune_ts = UINT64_MAX;
  return s;
}

static void stream_insert(psq_conn *c, stream *s) { /* after table_reserve */
  size_t h = shash(s->id, c->nbuckets);
  s->hnext = c->buckets[h];
  c->buckets[h] = s;
  c->nstreams++;
}

static int has_pending(const stream *s) {
  return !s->fin_sent && !s->wr_reset && !s->wr_stopped &&
         (s->sent_off < s->write_off || s->fin_req);
}

static void sq_remove(psq_conn *c, stream *s) {
  if (!s->in_sq) return;
  if (s->sq_prev) s->sq_prev->sq_next = s->sq_next;
  else c->sq_head = s->sq_next;
  if (s->sq_next) s->sq_next->sq_prev = s->sq_prev;
  else c->sq_tail = s->sq_prev;
  s->sq_prev = s->sq_next = NULL;
  s->in_sq = 0;
}

static void sq_push(psq_conn *c, stream *s) {
  if (s->in_sq || s->blocked || !has_pending(s)) return;
  s->sq_prev = c->sq_tail;
  s->sq_next = NULL;
  if (c->sq_tail) c->sq_tail->sq_next = s;
  else c->sq_head = s;
  c->sq_tail = s;
  s->in_sq = 1;
}

static void stream_destroy(stream *s) {
  for (chunk *k = s->head; k;) {
    chunk *n = k->next;
    free(k);
    k = n;
  }
  free(s);
}

static void stream_remove(psq_conn *c, stream *s) {
  sq_remove(c, s);
  for (stream **p = &c->buckets[shash(s->id, c->nbuckets)]; *p; p = &(*p)->hnext) {
    if (*p == s) {
      *p = s->hnext;
      c->nstreams--;
      break;
    }
  }
  stream_destroy(s);
}

/* Returns the connection credit of bytes delivered but not consumed (read side abandoned). */
static void return_unconsumed(psq_conn *c, stream *s) {
  uint64_t un = s->rx_delivered - s->rx_consumed;
  if (un) ngtcp2_conn_extend_max_offset(c->conn, un);
  s->rx_consumed = s->rx_delivered;
}

static void maybe_writable(psq_conn *c, stream *s) {
  if (s->want_writable && !s->fin_req && !s->wr_reset && !s->wr_stopped &&
      s->write_off - s->acked_off < c->cfg.stream_send_buffer / 2) {
    s->want_writable = 0;
    push_event(c, PSQ_EV_STREAM_WRITABLE, s->id, 0, 0, NULL, 0);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* ngtcp2 callbacks */

static ngtcp2_conn *get_conn(ngtcp2_crypto_conn_ref *ref) {
  return ((psq_conn *)ref->user_data)->conn;
}

static void cb_rand(uint8_t *dest, size_t len, const ngtcp2_rand_ctx *ctx) {
  (void)ctx;
  if (gnutls_rnd(GNUTLS_RND_RANDOM, dest, len) != 0) abort();
}

static int cb_get_new_cid(ngtcp2_conn *conn, ngtcp2_cid *cid, uint8_t *token, size_t cidlen,
                          void *ud) {
  psq_conn *c = ud;
  (void)conn;
  if (gnutls_rnd(GNUTLS_RND_RANDOM, cid->data, cidlen) != 0) return NGTCP2_ERR_CALLBACK_FAILURE;
  cid->datalen = cidlen;
  if (ngtcp2_crypto_generate_stateless_reset_token(token, c->secret, sizeof(c->secret), cid) != 0)
    return NGTCP2_ERR_CALLBACK_FAILURE;
  if (c->is_server) push_event(c, PSQ_EV_CID_NEW, -1, 0, 0, cid->data, cid->datalen);
  return 0;
}

static int cb_remove_cid(ngtcp2_conn *conn, const ngtcp2_cid *cid, void *ud) {
  psq_conn *c = ud;
  (void)conn;
  if (c->is_server) push_event(c, PSQ_EV_CID_RETIRED, -1, 0, 0, cid->data, cid->datalen);
  return 0;
}

/* Same as ngtcp2_crypto_recv_crypto_data_cb + ngtcp2_crypto_read_write_crypto_data (gnutls
 * backend), but keeps gnutls' error code for the close reason. */
static int cb_recv_crypto_data(ngtcp2_conn *conn, ngtcp2_crypto_level level, uint64_t offset,
                               const uint8_t *data, size_t len, void *ud) {
  psq_conn *c = ud;
  int rv;
  (void)offset;
  if (level == NGTCP2_CRYPTO_LEVEL_INITIAL && !c->initial_rx) {
    c->initial_rx = 1;
    push_event(c, PSQ_EV_MILESTONE, -1, PSQ_MS_INITIAL_RECEIVED, 0, NULL, 0);
  } else if (level == NGTCP2_CRYPTO_LEVEL_HANDSHAKE && !c->hs_rx) {
    c->hs_rx = 1;
    push_event(c, PSQ_EV_MILESTONE, -1, PSQ_MS_HANDSHAKE_RECEIVED, 0, NULL, 0);
  }
  if (len > 0) {
    rv = gnutls_handshake_write(c->tls, ngtcp2_crypto_gnutls_from_ngtcp2_level(level), data,
                                len);
    if (rv != 0) {
      if (!gnutls_error_is_fatal(rv)) return 0;
      goto fail;
    }
  }
  if (!ngtcp2_conn_get_handshake_completed(conn)) {
    rv = gnutls_handshake(c->tls);
    if (rv < 0) {
      if (!gnutls_error_is_fatal(rv)) return 0;
      goto fail;
    }
    ngtcp2_conn_handshake_completed(conn);
  }
  return 0;
fail:
  c->tls_err = rv;
  gnutls_alert_send_appropriate(c->tls, rv);
  rv = ngtcp2_conn_get_tls_error(conn);
  return rv ? rv : NGTCP2_ERR_CRYPTO;
}

static int cb_handshake_completed(ngtcp2_conn *conn, void *ud) {
  psq_conn *c = ud;
  (void)conn;
  gnutls_datum_t alpn;
  if (gnutls_alpn_get_selected_protocol(c->tls, &alpn) != 0 ||
      alpn.size != strlen(c->alpn_want) || memcmp(alpn.data, c->alpn_want, alpn.size) != 0) {
    /* GNUTLS_ALPN_MANDATORY should make this unreachable */
    c->hs_fail_alert = 120;
    c->hs_fail_msg = "no ALPN protocol \"libp2p\" selected";
    return NGTCP2_ERR_CALLBACK_FAILURE;
  }
  memcpy(c->alpn, alpn.data, alpn.size);
  c->alpn[alpn.size] = 0;
  if (c->peer_cert == NULL) { /* libp2p needs mutual auth */
    c->hs_fail_alert = 116;
    c->hs_fail_msg = "the peer presented no certificate";
    return NGTCP2_ERR_CALLBACK_FAILURE;
  }
  c->hs_done = 1;
  push_event(c, PSQ_EV_HANDSHAKE_COMPLETED, -1, 0, 0, NULL, 0);
  return 0;
}

static int cb_handshake_confirmed(ngtcp2_conn *conn, void *ud) {
  (void)conn;
  push_event(ud, PSQ_EV_MILESTONE, -1, PSQ_MS_HANDSHAKE_CONFIRMED, 0, NULL, 0);
  return 0;
}

static int cb_recv_rx_key(ngtcp2_conn *conn, ngtcp2_crypto_level level, void *ud) {
  (void)conn;
  if (level == NGTCP2_CRYPTO_LEVEL_APPLICATION)
    push_event(ud, PSQ_EV_MILESTONE, -1, PSQ_MS_RX_1RTT_KEY, 0, NULL, 0);
  return 0;
}

static int cb_recv_tx_key(ngtcp2_conn *conn, ngtcp2_crypto_level level, void *ud) {
  (void)conn;
  if (level == NGTCP2_CRYPTO_LEVEL_APPLICATION)
    push_event(ud, PSQ_EV_MILESTONE, -1, PSQ_MS_TX_1RTT_KEY, 0, NULL, 0);
  return 0;
}

static int cb_stream_open(ngtcp2_conn *conn, int64_t sid, void *ud) {
  psq_conn *c = ud;
  if (!ngtcp2_is_bidi_stream(sid)) return 0; /* we advertise 0 uni streams */
  if (table_reserve(c) != 0) return NGTCP2_ERR_CALLBACK_FAILURE;
  stream *s = stream_new(c);
  if (!s) return NGTCP2_ERR_CALLBACK_FAILURE;
  s->id = sid;
  stream_insert(c, s);
  ngtcp2_conn_set_stream_user_data(conn, sid, s);
  push_event(c, PSQ_EV_STREAM_OPENED, sid, 0, 0, NULL, 0);
  return 0;
}

static int cb_recv_stream_data(ngtcp2_conn *conn, uint32_t flags, int64_t sid, uint64_t offset,
                               const uint8_t *data, size_t len, void *ud, void *sud) {
  psq_conn *c = ud;
  stream *s = sud;
  int fin = (flags & NGTCP2_STREAM_DATA_FLAG_FIN) != 0;
  (void)conn, (void)offset;
  if (!s) return 0;
  s->rx_delivered += len;
  if (fin) s->rd_fin = 1;
  push_event(c, PSQ_EV_STREAM_DATA, sid, 0, fin, data, len);
  return 0;
}

static int cb_acked_stream_data_offset(ngtcp2_conn *conn, int64_t sid, uint64_t offset,
                                       uint64_t len, void *ud, void *sud) {
  psq_conn *c = ud;
  stream *s = sud;
  (void)conn, (void)sid;
  if (!s) return 0;
  if (offset + len > s->acked_off) s->acked_off = offset + len;
  while (s->head && s->head->off + s->head->len <= s->acked_off) {
    chunk *k = s->head;
    s->head = k->next;
    if (!s->head) s->tail = NULL;
    if (s->send_at == k) s->send_at = NULL;
    free(k);
  }
  maybe_writable(c, s);
  return 0;
}

static int cb_stream_close(ngtcp2_conn *conn, uint32_t flags, int64_t sid, uint64_t code,
                           void *ud, void *sud) {
  psq_conn *c = ud;
  stream *s = sud;
  if (!(flags & NGTCP2_STREAM_CLOSE_FLAG_APP_ERROR_CODE_SET)) code = 0;
  /* ngtcp2 0.12.1 does not replace closed remote streams by itself: give the peer one more. */
  if (!ngtcp2_conn_is_local_stream(conn, sid)) ngtcp2_conn_extend_max_streams_bidi(conn, 1);
  if (!s) return 0;
  /* Our write side ended without our FIN being fully acknowledged and without our reset:
   * the peer's STOP_SENDING made ngtcp2 reset it. */
  if (!s->wr_reset && !s->wr_stopped && !(s->fin_sent && s->acked_off == s->write_off))
    push_event(c, PSQ_EV_STREAM_STOP_SENDING, sid, code, 0, NULL, 0);
  c->rx_orphan += s->rx_delivered - s->rx_consumed;
  /* chunks may be freed now: ngtcp2 drops its frames of a closed stream without reading them */
  stream_remove(c, s);
  push_event(c, PSQ_EV_STREAM_CLOSED, sid, code, 0, NULL, 0);
  return 0;
}

static int cb_stream_reset(ngtcp2_conn *conn, int64_t sid, uint64_t final_size, uint64_t code,
                           void *ud, void *sud) {
  psq_conn *c = ud;
  stream *s = sud;
  (void)conn, (void)final_size;
  if (!s) return 0; /* reset before it was ever opened: the caller never saw it */
  s->rd_reset = 1;
  return_unconsumed(c, s);
  push_event(c, PSQ_EV_STREAM_RESET, sid, code, 0, NULL, 0);
  return 0;
}

static int cb_extend_max_local_streams_bidi(ngtcp2_conn *conn, uint64_t max, void *ud) {
  (void)conn;
  push_event(ud, PSQ_EV_STREAMS_AVAILABLE, -1, max, 0, NULL, 0);
  return 0;
}

static int cb_extend_max_stream_data(ngtcp2_conn *conn, int64_t sid, uint64_t max, void *ud,
                                     void *sud) {
  stream *s = sud;
  (void)conn, (void)sid, (void)max;
  if (!s) return 0;
  s->blocked = 0;
  sq_push(ud, s);
  return 0;
}

static int cb_recv_stateless_reset(ngtcp2_conn *conn, const ngtcp2_pkt_stateless_reset *sr,
                                   void *ud) {
  (void)conn, (void)sr;
  ((psq_conn *)ud)->got_sr = 1;
  return 0;
}

static int cb_recv_version_negotiation(ngtcp2_conn *conn, const ngtcp2_pkt_hd *hd,
                                       const uint32_t *sv, size_t nsv, void *ud) {
  psq_conn *c = ud;
  (void)conn, (void)hd;
  c->got_vn = 1;
  c->nvn = nsv < 16 ? nsv : 16;
  memcpy(c->vn_versions, sv, c->nvn * sizeof(uint32_t));
  return 0;
}

static void fill_callbacks(ngtcp2_callbacks *cb, int server) {
  memset(cb, 0, sizeof(*cb));
  if (server) {
    cb->recv_client_initial = ngtcp2_crypto_recv_client_initial_cb;
  } else {
    cb->client_initial = ngtcp2_crypto_client_initial_cb;
    cb->recv_retry = ngtcp2_crypto_recv_retry_cb;
    cb->recv_version_negotiation = cb_recv_version_negotiation;
    cb->recv_stateless_reset = cb_recv_stateless_reset;
  }
  if (server) cb->recv_stateless_reset = cb_recv_stateless_reset;
  cb->recv_crypto_data = cb_recv_crypto_data;
  cb->handshake_completed = cb_handshake_completed;
  cb->handshake_confirmed = cb_handshake_confirmed;
  cb->encrypt = ngtcp2_crypto_encrypt_cb;
  cb->decrypt = ngtcp2_crypto_decrypt_cb;
  cb->hp_mask = ngtcp2_crypto_hp_mask_cb;
  cb->recv_stream_data = cb_recv_stream_data;
  cb->acked_stream_data_offset = cb_acked_stream_data_offset;
  cb->stream_open = cb_stream_open;
  cb->stream_close = cb_stream_close;
  cb->stream_reset = cb_stream_reset;
  /* stream_stop_sending is called when *we* send STOP_SENDING; nothing to do */
  cb->extend_max_local_streams_bidi = cb_extend_max_local_streams_bidi;
  cb->extend_max_stream_data = cb_extend_max_stream_data;
  cb->rand = cb_rand;
  cb->get_new_connection_id = cb_get_new_cid;
  cb->remove_connection_id = cb_remove_cid;
  cb->update_key = ngtcp2_crypto_update_key_cb;
  cb->delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb;
  cb->delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb;
  cb->get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb;
  cb->version_negotiation = ngtcp2_crypto_version_negotiation_cb;
  cb->recv_rx_key = cb_recv_rx_key;
  cb->recv_tx_key = cb_recv_tx_key;
}

/* ------------------------------------------------------------------------------------------ */
/* TLS */

psq_identity *psq_identity_new(const uint8_t *cert_der, size_t cert_len, const uint8_t *key_der,
                               size_t key_len, char *err, size_t errlen) {
  psq_identity *id = calloc(1, sizeof(*id));
  int rv;
  if (!id) return NULL;
  if ((rv = gnutls_certificate_allocate_credentials(&id->cred)) != 0) goto fail;
  gnutls_datum_t cert = {(unsigned char *)cert_der, (unsigned)cert_len};
  gnutls_datum_t key = {(unsigned char *)key_der, (unsigned)key_len};
  if (cert_len && (rv = gnutls_certificate_set_x509_key_mem2(id->cred, &cert, &key,
                                                             GNUTLS_X509_FMT_DER, NULL, 0)) < 0)
    goto fail; /* cert_len 0: no certificate (negative tests only) */
  return id;
fail:
  if (err && errlen) snprintf(err, errlen, "credentials: %s", gnutls_strerror(rv));
  if (id->cred) gnutls_certificate_free_credentials(id->cred);
  free(id);
  return NULL;
}

void psq_identity_free(psq_identity *id) {
  if (!id) return;
  gnutls_certificate_free_credentials(id->cred);
  free(id);
}

/* gnutls calls this when the peer's Certificate (+CertificateVerify) arrived, inside
 * gnutls_handshake, i.e. inside ngtcp2_conn_read_pkt. Returning <0 aborts the handshake. */
static int tls_verify_cb(gnutls_session_t s) {
  ngtcp2_crypto_conn_ref *ref = gnutls_session_get_ptr(s);
  psq_conn *c = ref->user_data;
  unsigned n = 0;
  const gnutls_datum_t *peers = gnutls_certificate_get_peers(s, &n);
  if (peers == NULL || n != 1) { /* libp2p: exactly one */
    c->verify_failed = 1;
    snprintf(c->verify_msg, sizeof(c->verify_msg),
             "peer sent %u certificates, libp2p requires exactly one", peers ? n : 0);
    return GNUTLS_E_CERTIFICATE_ERROR;
  }
  free(c->peer_cert);
  c->peer_cert = malloc(peers[0].size);
  if (!c->peer_cert) return GNUTLS_E_MEMORY_ERROR;
  memcpy(c->peer_cert, peers[0].data, peers[0].size);
  c->peer_cert_len = peers[0].size;
  push_event(c, PSQ_EV_PEER_CERTIFICATE, -1, 0, 0, peers[0].data, peers[0].size);
  if (c->verify) {
    memset(c->verify_msg, 0, sizeof(c->verify_msg));
    if (c->verify(c->verify_ctx, peers[0].data, peers[0].size, c->verify_msg,
                  sizeof(c->verify_msg)) != 0) {
      c->verify_msg[sizeof(c->verify_msg) - 1] = 0;
      if (!c->verify_msg[0]) snprintf(c->verify_msg, sizeof(c->verify_msg), "rejected");
      c->verify_failed = 1;
      return GNUTLS_E_CERTIFICATE_ERROR;
    }
  }
  return 0;
}

static int tls_setup(psq_conn *c, const psq_identity *id, char *err, size_t errlen) {
  int rv;
  unsigned flags = (c->is_server ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_NO_TICKETS;
  if ((rv = gnutls_init(&c->tls, flags)) != 0) goto fail;
  if ((rv = gnutls_priority_set_direct(c->tls, PSQ_PRIORITY, NULL)) != 0) goto fail;
  if ((c->is_server ? ngtcp2_crypto_gnutls_configure_server_session(c->tls)
                    : ngtcp2_crypto_gnutls_configure_client_session(c->tls)) != 0) {
    snprintf(err, errlen, "ngtcp2_crypto_gnutls_configure_*_session failed");
    return -1;
  }
  c->ref.get_conn = get_conn;
  c->ref.user_data = c;
  gnutls_session_set_ptr(c->tls, &c->ref);
  if ((rv = gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE, id->cred)) != 0) goto fail;
  gnutls_datum_t alpn = {(unsigned char *)c->alpn_want, (unsigned)strlen(c->alpn_want)};
  if ((rv = gnutls_alpn_set_protocols(c->tls, &alpn, 1, GNUTLS_ALPN_MANDATORY)) != 0) goto fail;
  gnutls_session_set_verify_function(c->tls, tls_verify_cb);
  if (c->is_server) gnutls_certificate_server_set_request(c->tls, GNUTLS_CERT_REQUIRE);
  /* No SNI: libp2p clients must not send one (tls.md); gnutls sends none unless set. */
  ngtcp2_conn_set_tls_native_handle(c->conn, c->tls);
  return 0;
fail:
  snprintf(err, errlen, "gnutls: %s", gnutls_strerror(rv));
  return -1;
}

/* ------------------------------------------------------------------------------------------ */
/* construction */

static void defaults(const psq_config *in, psq_config *out) {
  memset(out, 0, sizeof(*out));
  if (in) *out = *in;
  if (!out->max_idle_timeout_ns) out->max_idle_timeout_ns = 30 * NGTCP2_SECONDS;
  if (!out->keep_alive_ns) out->keep_alive_ns = 15 * NGTCP2_SECONDS;
  if (!out->handshake_timeout_ns) out->handshake_timeout_ns = 10 * NGTCP2_SECONDS;
  if (!out->max_streams_bidi) out->max_streams_bidi = 256;
  if (!out->stream_window) out->stream_window = 1 << 20;
  if (!out->conn_window) out->conn_window = 3 << 19;
  if (!out->max_stream_window) out->max_stream_window = 10 << 20;
  if (!out->max_conn_window) out->max_conn_window = 15 << 20;
  if (out->max_stream_window < out->stream_window) out->max_stream_window = out->stream_window;
  if (out->max_conn_window < out->conn_window) out->max_conn_window = out->conn_window;
  if (!out->stream_send_buffer) out->stream_send_buffer = 1 << 20;
  if (!out->alpn || !out->alpn[0] || strlen(out->alpn) > 31) out->alpn = PSQ_ALPN;
}

static void base_settings(const psq_config *cfg, ngtcp2_settings *st, ngtcp2_transport_params *tp,
                          uint64_t now) {
  ngtcp2_settings_default(st);
  st->initial_ts = now;
  st->handshake_timeout = cfg->handshake_timeout_ns;
  switch (cfg->congestion_control) {
  case PSQ_CC_CUBIC: st->cc_algo = NGTCP2_CC_ALGO_CUBIC; break;
  case PSQ_CC_RENO: st->cc_algo = NGTCP2_CC_ALGO_RENO; break;
  default: st->cc_algo = NGTCP2_CC_ALGO_BBR2; break;
  }
  st->max_window = cfg->max_conn_window;
  st->max_stream_window = 0; /* psq tunes stream windows itself (psq_stream_consumed), so it
                                knows each stream's receive credit exactly */
  ngtcp2_transport_params_default(tp);
  tp->initial_max_stream_data_bidi_local = cfg->stream_window;
  tp->initial_max_stream_data_bidi_remote = cfg->stream_window;
  tp->initial_max_stream_data_uni = 0;
  tp->initial_max_data = cfg->conn_window;
  tp->initial_max_streams_bidi = cfg->max_streams_bidi;
  tp->initial_max_streams_uni = 0;
  tp->max_idle_timeout = cfg->max_idle_timeout_ns;
  tp->active_connection_id_limit = 4;
}

static psq_conn *conn_alloc(const psq_config *cfg_in, const struct sockaddr *local, socklen_t ll,
                            const struct sockaddr *remote, socklen_t rl, psq_verify_fn verify,
                            void *vctx, uint64_t now) {
  if (!local || !remote || ll > sizeof(struct sockaddr_storage) ||
      rl > sizeof(struct sockaddr_storage))
    return NULL;
  psq_conn *c = calloc(1, sizeof(*c));
  if (!c) return NULL;
  defaults(cfg_in, &c->cfg);
  memcpy(&c->local, local, ll);
  c->locallen = ll;
  memcpy(&c->remote, remote, rl);
  c->remotelen = rl;
  memcpy(&c->dest, remote, rl);
  c->destlen = rl;
  c->verify = verify;
  c->verify_ctx = vctx;
  c->now = c->created_ts = c->last_rx_ts = now;
  memcpy(c->secret, c->cfg.static_secret ? c->cfg.static_secret : process_secret(),
         sizeof(c->secret));
  c->cfg.static_secret = c->secret;
  snprintf(c->alpn_want, sizeof(c->alpn_want), "%s", c->cfg.alpn);
  c->cfg.alpn = c->alpn_want;
  ngtcp2_connection_close_error_default(&c->ccerr);
  return c;
}

static ngtcp2_path make_path(psq_conn *c) {
  ngtcp2_path p = {{(ngtcp2_sockaddr *)&c->local, c->locallen},
                   {(ngtcp2_sockaddr *)&c->remote, c->remotelen},
                   NULL};
  return p;
}

psq_conn *psq_client_new(const psq_config *cfg_in, const psq_identity *id,
                         const struct sockaddr *local, socklen_t locallen,
                         const struct sockaddr *remote, socklen_t remotelen, psq_verify_fn verify,
                         void *verify_ctx, uint64_t now, char *err, size_t errlen) {
  psq_conn *c = conn_alloc(cfg_in, local, locallen, remote, remotelen, verify, verify_ctx, now);
  if (!c) {
    snprintf(err, errlen, "bad address or out of memory");
    return NULL;
  }
  ngtcp2_callbacks cb;
  fill_callbacks(&cb, 0);
  ngtcp2_settings st;
  ngtcp2_transport_params tp;
  base_settings(&c->cfg, &st, &tp, now);
  ngtcp2_cid dcid, scid;
  dcid.datalen = 18; /* >= 8 (RFC 9000 7.2); random */
  scid.datalen = PSQ_SCIDLEN;
  gnutls_rnd(GNUTLS_RND_RANDOM, dcid.data, dcid.datalen);
  gnutls_rnd(GNUTLS_RND_RANDOM, scid.data, scid.datalen);
  ngtcp2_path path = make_path(c);
  int rv = ngtcp2_conn_client_new(&c->conn, &dcid, &scid, &path, NGTCP2_PROTO_VER_V1, &cb, &st,
                                  &tp, NULL, c);
  if (rv != 0) {
    snprintf(err, errlen, "ngtcp2_conn_client_new: %s", ngtcp2_strerror(rv));
    free(c);
    return NULL;
  }
  if (c->cfg.keep_alive_ns < (1ull << 62)) /* larger: off (ngtcp2 adds it to a timestamp) */
    ngtcp2_conn_set_keep_alive_timeout(c->conn, c->cfg.keep_alive_ns);
  if (tls_setup(c, id, err, errlen) != 0) {
    psq_conn_free(c);
    return NULL;
  }
  return c;
}

int psq_dispatch_info(const uint8_t *pkt, size_t len, const uint8_t **dcid, size_t *dcidlen) {
  ngtcp2_version_cid vc;
  if (!pkt || len == 0) return PSQ_ERR_INVALID;
  int rv = ngtcp2_pkt_decode_version_cid(&vc, pkt, len, PSQ_SCIDLEN);
  if (rv == NGTCP2_ERR_VERSION_NEGOTIATION) return PSQ_DISPATCH_VN;
  if (rv != 0) return PSQ_ERR_INVALID;
  /* ngtcp2 also speaks draft-29 and v2 drafts; libp2p /quic-v1 is QUIC v1 only. */
  if ((pkt[0] & 0x80) && vc.version != 0 && vc.version != NGTCP2_PROTO_VER_V1)
    return len >= PSQ_MIN_INITIAL_DGRAM ? PSQ_DISPATCH_VN : PSQ_ERR_INVALID;
  if (dcid) *dcid = vc.dcid;
  if (dcidlen) *dcidlen = vc.dcidlen;
  return PSQ_DISPATCH_ROUTE;
}

int psq_dispatch_unknown(const uint8_t *pkt, size_t len) {
  if (!pkt || len == 0) return PSQ_ERR_INVALID;
  if (!(pkt[0] & 0x80)) return PSQ_DISPATCH_RESET;
  ngtcp2_pkt_hd hd;
  if (ngtcp2_accept(&hd, pkt, len) != 0 || hd.version != NGTCP2_PROTO_VER_V1)
    return PSQ_ERR_INVALID;
  return PSQ_DISPATCH_NEW;
}

ssize_t psq_write_version_negotiation(const uint8_t *pkt, size_t len, uint8_t *out, size_t cap) {
  ngtcp2_version_cid vc;
  if (!pkt || len == 0 || !out) return PSQ_ERR_INVALID;
  int rv = ngtcp2_pkt_decode_version_cid(&vc, pkt, len, PSQ_SCIDLEN);
  if (rv != NGTCP2_ERR_VERSION_NEGOTIATION &&
      (rv != 0 || !(pkt[0] & 0x80) || vc.version == 0 || vc.version == NGTCP2_PROTO_VER_V1 ||
       len < PSQ_MIN_INITIAL_DGRAM))
    return PSQ_ERR_INVALID;
  uint32_t sv[] = {NGTCP2_PROTO_VER_V1};
  uint8_t r;
  gnutls_rnd(GNUTLS_RND_NONCE, &r, 1);
  ngtcp2_ssize n = ngtcp2_pkt_write_version_negotiation(out, cap, r, vc.scid, vc.scidlen, vc.dcid,
                                                        vc.dcidlen, sv, 1);
  return n < 0 ? PSQ_ERR_INVALID : n;
}

ssize_t psq_write_stateless_reset(const uint8_t *static_secret, const uint8_t *pkt, size_t len,
                                  uint8_t *out, size_t cap) {
  if (!pkt || !out || len == 0 || (pkt[0] & 0x80)) return PSQ_ERR_INVALID;
  if (len < PSQ_STATELESS_RESET_MIN_TRIGGER) return 0;
  size_t n;
  if (len <= 43) {
    n = len - 1; /* RFC 9000 10.3: one byte shorter than the packet */
  } else {
    uint8_t r;
    gnutls_rnd(GNUTLS_RND_NONCE, &r, 1);
    size_t span = len - 43 < 64 ? len - 43 : 64; /* 43 .. min(len - 1, 106) */
    n = 43 + r % span;
  }
  if (n > cap) return PSQ_ERR_INVALID;
  ngtcp2_cid cid;
  cid.datalen = PSQ_SCIDLEN;
  memcpy(cid.data, pkt + 1, PSQ_SCIDLEN);
  uint8_t token[NGTCP2_STATELESS_RESET_TOKENLEN];
  if (ngtcp2_crypto_generate_stateless_reset_token(
          token, static_secret ? static_secret : process_secret(), 32, &cid) != 0)
    return PSQ_ERR_INVALID;
  uint8_t rnd[128];
  size_t randlen = n - NGTCP2_STATELESS_RESET_TOKENLEN; /* >= 20 */
  gnutls_rnd(GNUTLS_RND_NONCE, rnd, randlen);
  ngtcp2_ssize w = ngtcp2_pkt_write_stateless_reset(out, n, token, rnd, randlen);
  return w < 0 ? PSQ_ERR_INVALID : w;
}

psq_conn *psq_server_accept(const psq_config *cfg_in, const psq_identity *id, const uint8_t *pkt,
                            size_t len, const struct sockaddr *local, socklen_t locallen,
                            const struct sockaddr *remote, socklen_t remotelen,
                            psq_verify_fn verify, void *verify_ctx, uint64_t now, char *err,
                            size_t errlen) {
  ngtcp2_pkt_hd hd;
  if (!pkt || len == 0) {
    snprintf(err, errlen, "empty datagram");
    return NULL;
  }
  int rv = ngtcp2_accept(&hd, pkt, len);
  if (rv != 0) { /* NGTCP2_ERR_RETRY never: we do not require address validation */
    snprintf(err, errlen, "ngtcp2_accept: %s", ngtcp2_strerror(rv));
    return NULL;
  }
  if (hd.version != NGTCP2_PROTO_VER_V1) {
    snprintf(err, errlen, "version 0x%08x is not QUIC v1", hd.version);
    return NULL;
  }
  psq_conn *c = conn_alloc(cfg_in, local, locallen, remote, remotelen, verify, verify_ctx, now);
  if (!c) {
    snprintf(err, errlen, "bad address or out of memory");
    return NULL;
  }
  c->is_server = 1;
  ngtcp2_callbacks cb;
  fill_callbacks(&cb, 1);
  ngtcp2_settings st;
  ngtcp2_transport_params tp;
  base_settings(&c->cfg, &st, &tp, now);
  ngtcp2_cid scid;
  scid.datalen = PSQ_SCIDLEN;
  gnutls_rnd(GNUTLS_RND_RANDOM, scid.data, scid.datalen);
  tp.original_dcid = hd.dcid; /* no Retry: original_dcid = client's first DCID */
  tp.stateless_reset_token_present = 1;
  ngtcp2_crypto_generate_stateless_reset_token(tp.stateless_reset_token, c->secret,
                                               sizeof(c->secret), &scid);
  ngtcp2_path path = make_path(c);
  rv = ngtcp2_conn_server_new(&c->conn, &hd.scid, &scid, &path, hd.version, &cb, &st, &tp, NULL,
                              c);
  if (rv != 0) {
    snprintf(err, errlen, "ngtcp2_conn_server_new: %s", ngtcp2_strerror(rv));
    free(c);
    return NULL;
  }
  if (c->cfg.keep_alive_ns < (1ull << 62)) /* larger: off (ngtcp2 adds it to a timestamp) */
    ngtcp2_conn_set_keep_alive_timeout(c->conn, c->cfg.keep_alive_ns);
  if (tls_setup(c, id, err, errlen) != 0) {
    psq_conn_free(c);
    return NULL;
  }
  push_event(c, PSQ_EV_CID_NEW, -1, 0, 0, hd.dcid.data, hd.dcid.datalen);
  push_event(c, PSQ_EV_CID_NEW, -1, 0, 0, scid.data, scid.datalen);
  psq_conn_read(c, pkt, len, remote, remotelen, now);
  if (c->state == ST_FINAL) {
    snprintf(err, errlen, "first Initial rejected: %s", c->reason);
    psq_conn_free(c);
    return NULL;
  }
  return c;
}

/* ------------------------------------------------------------------------------------------ */
/* I/O */

static void on_read_error(psq_conn *c, int rv) {
  if (rv == NGTCP2_ERR_DRAINING) {
    if (c->got_sr) {
      set_reason(c, "stateless reset: the peer no longer has state for this connection "
                    "(it restarted or dropped it)");
      begin_draining(c, PSQ_CLOSE_STATELESS_RESET, 0, 0);
      return;
    }
    ngtcp2_connection_close_error cc;
    ngtcp2_conn_get_connection_close_error(c->conn, &cc);
    char peer_reason[256] = "", what[160];
    sanitize(peer_reason, sizeof(peer_reason), cc.reason, cc.reasonlen);
    int app = cc.type == NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_APPLICATION;
    if (app)
      snprintf(what, sizeof(what), "application error 0x%llx", (unsigned long long)cc.error_code);
    else
      describe_transport(what, sizeof(what), cc.error_code);
    set_reason(c, "closed by peer: %s%s%s%s", app ? "" : "transport error ", what,
               peer_reason[0] ? "; peer's reason: \"" : "", peer_reason[0] ? peer_reason : "");
    if (peer_reason[0]) strncat(c->reason, "\"", sizeof(c->reason) - strlen(c->reason) - 1);
    begin_draining(c, app ? PSQ_CLOSE_PEER_APP : PSQ_CLOSE_PEER_TRANSPORT, cc.error_code, app);
    return;
  }
  if (rv == NGTCP2_ERR_RECV_VERSION_NEGOTIATION) {
    char list[400] = "", one[48];
    for (size_t i = 0; i < c->nvn; i++) {
      version_name(one, sizeof(one), c->vn_versions[i]);
      if (i) strncat(list, ", ", sizeof(list) - strlen(list) - 1);
      strncat(list, one, sizeof(list) - strlen(list) - 1);
    }
    set_reason(c, "version negotiation: the peer does not speak QUIC v1; it offered %s",
               c->nvn ? list : "no versions");
    end_now(c, PSQ_CLOSE_VERSION_NEGOTIATION, 0, 0);
    return;
  }
  if (rv == NGTCP2_ERR_DROP_CONN || rv == NGTCP2_ERR_RETRY) {
    set_reason(c, "dropped: %s", ngtcp2_strerror(rv));
    end_now(c, PSQ_CLOSE_DROPPED, 0, 0);
    return;
  }
  local_error(c, rv);
}

int psq_conn_read(psq_conn *c, const uint8_t *pkt, size_t len, const struct sockaddr *remote,
                  socklen_t remotelen, uint64_t now) {
  c->now = now;
  if (c->state != ST_OPEN) {
    if (c->state == ST_CLOSING) {
      c->rx_bytes += len;
      /* RFC 9000 10.2.1: answer with the saved CONNECTION_CLOSE, rate-limited (exponential). */
      if (++c->closing_rx >= c->next_resend) {
        c->resend_pending = 1;
        c->next_resend *= 2;
      }
    }
    return PSQ_ERR_CLOSED;
  }
  if (!pkt || len == 0 || !remote) return PSQ_ERR_INVALID;
  c->rx_bytes += len;
  c->last_rx_ts = now;
  ngtcp2_path path = make_path(c);
  path.remote.addr = (ngtcp2_sockaddr *)remote;
  path.remote.addrlen = remotelen;
  ngtcp2_pkt_info pi = {0};
  int rv = ngtcp2_conn_read_pkt(c->conn, &path, &pi, pkt, len, now);
  if (rv == 0) return 0;
  on_read_error(c, rv);
  return PSQ_ERR_CLOSED;
}

static void set_dest(psq_conn *c, const ngtcp2_path *p) {
  if (p->remote.addrlen > 0 && p->remote.addrlen <= sizeof(c->dest)) {
    memcpy(&c->dest, p->remote.addr, p->remote.addrlen);
    c->destlen = p->remote.addrlen;
  }
}

static ssize_t write_close(psq_conn *c, uint8_t *out, size_t cap, uint64_t now) {
  ngtcp2_path_storage ps;
  ngtcp2_pkt_info pi;
  ngtcp2_path_storage_zero(&ps);
  ngtcp2_ssize n =
      ngtcp2_conn_write_connection_close(c->conn, &ps.path, &pi, out, cap, &c->ccerr, now);
  if (n <= 0 || !(c->closebuf = malloc((size_t)n))) {
    /* nothing can be sent (e.g. no packet was ever written): no closing period */
    c->state = ST_FINAL;
    emit_closed(c, PSQ_EVF_FINAL);
    return 0;
  }
  memcpy(c->closebuf, out, (size_t)n);
  c->closelen = (size_t)n;
  set_dest(c, &ps.path);
  c->state = ST_CLOSING;
  c->close_deadline = now + 3 * ngtcp2_conn_get_pto(c->conn);
  c->next_resend = 1;
  c->tx_bytes += (uint64_t)n;
  return n;
}

static ssize_t resend_close(psq_conn *c, uint8_t *out, size_t cap) {
  if (!c->resend_pending) return 0;
  c->resend_pending = 0;
  if (c->closelen > cap) return 0;
  /* the server must not exceed 3x the bytes received before the client's address is validated
   * (handshake completion validates it here: we never use Retry) */
  if (c->is_server && !c->hs_done && c->tx_bytes + c->closelen > 3 * c->rx_bytes) return 0;
  memcpy(out, c->closebuf, c->closelen);
  c->tx_bytes += c->closelen;
  c->resends++;
  return (ssize_t)c->closelen;
}

static size_t build_vecs(stream *s, ngtcp2_vec *v, size_t max, size_t *total) {
  size_t n = 0;
  *total = 0;
  chunk *k = s->send_at ? s->send_at : s->head;
  while (k && k->off + k->len <= s->sent_off) k = k->next;
  s->send_at = k ? k : s->tail; /* all sent: the next chunk is appended after the tail */
  for (; k && n < max; k = k->next) {
    size_t skip = s->sent_off > k->off ? (size_t)(s->sent_off - k->off) : 0;
    v[n].base = k->data + skip;
    v[n].len = k->len - skip;
    *total += v[n].len;
    n++;
  }
  return n;
}

static void account(stream *s, ngtcp2_ssize ndatalen, uint32_t flags) {
  if (!s || ndatalen < 0) return;
  s->sent_off += (uint64_t)ndatalen;
  if ((flags & NGTCP2_WRITE_STREAM_FLAG_FIN) && s->sent_off == s->write_off) s->fin_sent = 1;
}

ssize_t psq_conn_write(psq_conn *c, uint8_t *out, size_t cap, uint64_t now) {
  c->now = now;
  if (!out) return PSQ_ERR_INVALID;
  switch (c->state) {
  case ST_CLOSE_PENDING: return write_close(c, out, cap, now);
  case ST_CLOSING: return resend_close(c, out, cap);
  case ST_DRAINING:
  case ST_FINAL: return 0;
  default: break;
  }
  ngtcp2_path_storage ps;
  ngtcp2_pkt_info pi;
  ngtcp2_path_storage_zero(&ps);
  size_t max = ngtcp2_conn_get_max_tx_udp_payload_size(c->conn);
  if (max > cap) max = cap;
  for (;;) {
    stream *s = c->sq_head;
    ngtcp2_vec vec[16];
    size_t vcnt = 0, total = 0;
    int64_t sid = -1;
    uint32_t flags = NGTCP2_WRITE_STREAM_FLAG_NONE;
    if (s) {
      sid = s->id;
      vcnt = build_vecs(s, vec, 16, &total);
      flags = NGTCP2_WRITE_STREAM_FLAG_MORE;
      if (s->fin_req && s->sent_off + total == s->write_off) flags |= NGTCP2_WRITE_STREAM_FLAG_FIN;
    }
    ngtcp2_ssize ndatalen = -1;
    ngtcp2_ssize n = ngtcp2_conn_writev_stream(c->conn, &ps.path, &pi, out, max, &ndatalen, flags,
                                               sid, vec, vcnt, now);
    if (n < 0) {
      if (n == NGTCP2_ERR_WRITE_MORE) {
        account(s, ndatalen, flags);
        sq_remove(c, s); /* round robin: to the back of the queue */
        sq_push(c, s);
        continue;
      }
      if (s && n == NGTCP2_ERR_STREAM_DATA_BLOCKED) { /* until extend_max_stream_data */
        s->blocked = 1;
        sq_remove(c, s);
        continue;
      }
      if (s && n == NGTCP2_ERR_STREAM_SHUT_WR) {
        /* not by our FIN or reset: the peer's STOP_SENDING made ngtcp2 reset it */
        if (!s->fin_sent && !s->wr_reset && !s->wr_stopped) {
          s->wr_stopped = 1;
          s->want_writable = 0;
          push_ev(c, PSQ_EV_STREAM_STOP_SENDING, s->id, 0, 0, PSQ_EVF_CODE_UNKNOWN, 0, NULL, 0);
        }
        sq_remove(c, s);
        continue;
      }
      if (s && n == NGTCP2_ERR_STREAM_NOT_FOUND) {
        s->wr_stopped = 1;
        sq_remove(c, s);
        continue;
      }
      local_error(c, (int)n);
      return write_close(c, out, cap, now);
    }
    account(s, ndatalen, flags);
    if (s) {
      sq_remove(c, s);
      sq_push(c, s);
    }
    if (n == 0) {
      /* ngtcp2 0.12.1 paces with srtt = initial_rtt (333 ms) until the first RTT sample, which
       * holds the client's second flight back ~26 ms (fixed upstream in 0.14.0, commit
       * 47b88691 "Use 1ms as initial srtt when calculating pacing rate"). Start pacing only once
       * an RTT sample exists; bytes sent before that are paced at the first update. */
      ngtcp2_conn_stat cs;
      ngtcp2_conn_get_conn_stat(c->conn, &cs);
#ifdef PSQ_NAIVE_PACING /* what the ngtcp2 examples do; only to measure the 0.12.1 pacing bug */
      cs.first_rtt_sample_ts = 0;
#endif
      if (cs.first_rtt_sample_ts != UINT64_MAX) ngtcp2_conn_update_pkt_tx_time(c->conn, now);
      return 0;
    }
    if (!c->initial_sent) {
      c->initial_sent = 1;
      if (!c->is_server) push_event(c, PSQ_EV_MILESTONE, -1, PSQ_MS_INITIAL_SENT, 0, NULL, 0);
    }
    set_dest(c, &ps.path);
    c->tx_bytes += (uint64_t)n;
    return n;
  }
}

const struct sockaddr *psq_conn_dest(psq_conn *c, socklen_t *len) {
  if (len) *len = c->destlen;
  return (const struct sockaddr *)&c->dest;
}

uint64_t psq_conn_expiry(psq_conn *c) {
  switch (c->state) {
  case ST_OPEN: return ngtcp2_conn_get_expiry(c->conn);
  case ST_CLOSE_PENDING: return 0;
  case ST_CLOSING:
  case ST_DRAINING: return c->close_deadline;
  default: return UINT64_MAX;
  }
}

int psq_conn_handle_expiry(psq_conn *c, uint64_t now) {
  c->now = now;
  if (c->state == ST_CLOSING || c->state == ST_DRAINING) {
    if (now >= c->close_deadline) {
      c->state = ST_FINAL;
      emit_closed(c, PSQ_EVF_FINAL);
    }
    return PSQ_ERR_CLOSED;
  }
  if (c->state != ST_OPEN) return PSQ_ERR_CLOSED;
  int rv = ngtcp2_conn_handle_expiry(c->conn, now);
  if (rv == 0) return 0;
  if (rv == NGTCP2_ERR_IDLE_CLOSE) {
    const ngtcp2_transport_params *rp = ngtcp2_conn_get_remote_transport_params(c->conn);
    uint64_t ours = c->cfg.max_idle_timeout_ns, theirs = rp ? rp->max_idle_timeout : 0;
    uint64_t eff = theirs && theirs < ours ? theirs : ours;
    char peer[64];
    if (rp)
      snprintf(peer, sizeof(peer), "%.3f s%s", (double)theirs / 1e9, theirs ? "" : " (none)");
    else
      snprintf(peer, sizeof(peer), "not known yet");
    set_reason(c, "idle timeout: nothing received for %.3f s (idle timeout %.3f s; ours %.3f s, "
                  "peer's %s)",
               (double)(now - c->last_rx_ts) / 1e9, (double)eff / 1e9, (double)ours / 1e9, peer);
    end_now(c, PSQ_CLOSE_IDLE_TIMEOUT, 0, 0);
  } else if (rv == NGTCP2_ERR_HANDSHAKE_TIMEOUT) {
    set_reason(c, "handshake timeout: the handshake did not complete within %.3f s",
               (double)c->cfg.handshake_timeout_ns / 1e9);
    end_now(c, PSQ_CLOSE_HANDSHAKE_TIMEOUT, 0, 0);
  } else {
    local_error(c, rv);
  }
  return PSQ_ERR_CLOSED;
}

/* ------------------------------------------------------------------------------------------ */
/* streams API */

int64_t psq_stream_open(psq_conn *c) {
  int64_t sid;
  if (c->state != ST_OPEN) return PSQ_ERR_CLOSED;
  if (table_reserve(c) != 0) return PSQ_ERR_NOMEM;
  stream *s = stream_new(c);
  if (!s) return PSQ_ERR_NOMEM;
  int rv = ngtcp2_conn_open_bidi_stream(c->conn, &sid, s);
  if (rv != 0) {
    free(s);
    return rv == NGTCP2_ERR_STREAM_ID_BLOCKED ? PSQ_ERR_STREAM_ID_BLOCKED : PSQ_ERR_NOMEM;
  }
  s->id = sid;
  stream_insert(c, s);
  return sid;
}

static stream *api_stream(psq_conn *c, int64_t sid, int *err) {
  if (c->state != ST_OPEN) {
    *err = PSQ_ERR_CLOSED;
    return NULL;
  }
  stream *s = find_stream(c, sid);
  *err = s ? 0 : PSQ_ERR_STREAM_NOT_FOUND;
  return s;
}

int psq_stream_write(psq_conn *c, int64_t sid, const uint8_t *data, size_t len, int fin) {
  int err;
  stream *s = api_stream(c, sid, &err);
  if (!s) return err;
  if (s->fin_req || s->wr_reset || s->wr_stopped) return PSQ_ERR_STREAM_STATE;
  if (len && !data) return PSQ_ERR_INVALID;
  uint64_t cap = c->cfg.stream_send_buffer, unacked = s->write_off - s->acked_off;
  if (len && unacked + len > cap) {
    s->want_writable = 1;
    maybe_writable(c, s); /* already below half (len > cap/2): say so at once */
    return PSQ_ERR_WOULDBLOCK;
  }
  if (len) {
    chunk *k = malloc(sizeof(*k) + len);
    if (!k) return PSQ_ERR_NOMEM;
    k->next = NULL;
    k->off = s->write_off;
    k->len = len;
    memcpy(k->data, data, len);
    if (s->tail)
      s->tail->next = k;
    else
      s->head = k;
    s->tail = k;
    s->write_off += len;
    if (s->write_off - s->acked_off >= cap / 2) s->want_writable = 1;
  }
  if (fin) {
    s->fin_req = 1;
    s->want_writable = 0;
  }
  sq_push(c, s);
  return 0;
}

uint64_t psq_stream_write_room(psq_conn *c, int64_t sid) {
  int err;
  stream *s = api_stream(c, sid, &err);
  if (!s || s->fin_req || s->wr_reset || s->wr_stopped) return 0;
  uint64_t unacked = s->write_off - s->acked_off;
  return unacked >= c->cfg.stream_send_buffer ? 0 : c->cfg.stream_send_buffer - unacked;
}

int psq_stream_shutdown_write(psq_conn *c, int64_t sid) {
  int err;
  stream *s = api_stream(c, sid, &err);
  if (!s) return err;
  if (s->wr_reset || s->wr_stopped) return PSQ_ERR_STREAM_STATE;
  if (s->fin_req) return 0;
  s->fin_req = 1;
  s->want_writable = 0;
  sq_push(c, s);
  return 0;
}

int psq_stream_stop_reading(psq_conn *c, int64_t sid, uint64_t code) {
  int err;
  stream *s = api_stream(c, sid, &err);
  if (!s) return err;
  if (s->rd_stopped) return 0;
  if (ngtcp2_conn_shutdown_stream_read(c->conn, sid, code) != 0) return PSQ_ERR_NOMEM;
  s->rd_stopped = 1;
  return_unconsumed(c, s);
  return 0;
}

int psq_stream_reset(psq_conn *c, int64_t sid, uint64_t code) {
  int err;
  stream *s = api_stream(c, sid, &err);
  if (!s) return err;
  if (ngtcp2_conn_shutdown_stream(c->conn, sid, code) != 0) return PSQ_ERR_NOMEM;
  /* Keep the chunks until the stream closes: ngtcp2 0.12.1 may still retransmit STREAM frames
   * of a reset stream from our memory (fixed upstream in e9ec87a0). */
  if (!s->fin_sent || s->acked_off < s->write_off) s->wr_reset = 1;
  s->want_writable = 0;
  s->rd_stopped = 1;
  return_unconsumed(c, s);
  sq_remove(c, s);
  return 0;
}

int psq_stream_consumed(psq_conn *c, int64_t sid, size_t n_in) {
  if (c->state != ST_OPEN) return PSQ_ERR_CLOSED;
  uint64_t n = n_in;
  stream *s = find_stream(c, sid);
  if (!s) { /* freed stream: connection credit only, never more than was delivered */
    if (n > c->rx_orphan) n = c->rx_orphan;
    c->rx_orphan -= n;
    if (n) ngtcp2_conn_extend_max_offset(c->conn, n);
    return 0;
  }
  uint64_t un = s->rx_delivered - s->rx_consumed;
  if (n > un) n = un;
  if (!n) return 0;
  s->rx_consumed += n;
  ngtcp2_conn_extend_max_offset(c->conn, n);
  if (s->rd_fin || s->rd_reset || s->rd_stopped) return 0;
  if (ngtcp2_conn_extend_max_stream_offset(c->conn, sid, n) != 0) return PSQ_ERR_NOMEM;
  s->rx_granted += n;
  /* Window auto-tuning as ngtcp2 does it (conn_write_pkt, 0.12.1), done here so psq knows the
   * window: at each update point (half a window returned), double the window, up to
   * max_stream_window, if the previous update point is less than 2 smoothed RTTs ago. */
  s->rx_since_tune += n;
  if (2 * s->rx_since_tune > s->rx_window) {
    ngtcp2_conn_stat cs;
    ngtcp2_conn_get_conn_stat(c->conn, &cs);
    if (s->rx_tune_ts != UINT64_MAX && c->now - s->rx_tune_ts < 2 * cs.smoothed_rtt &&
        s->rx_window < c->cfg.max_stream_window) {
      uint64_t target = 2 * s->rx_window;
      if (target > c->cfg.max_stream_window) target = c->cfg.max_stream_window;
      uint64_t delta = target - s->rx_window;
      if (ngtcp2_conn_extend_max_stream_offset(c->conn, sid, delta) != 0) return PSQ_ERR_NOMEM;
      s->rx_window = target;
      s->rx_granted += delta;
    }
    s->rx_tune_ts = c->now;
    s->rx_since_tune = 0;
  }
  return 0;
}

uint64_t psq_stream_unacked(psq_conn *c, int64_t sid) {
  stream *s = find_stream(c, sid);
  return s ? s->write_off - s->acked_off : 0;
}

uint64_t psq_stream_send_credit(psq_conn *c, int64_t sid) {
  if (c->state != ST_OPEN || !find_stream(c, sid)) return 0;
  return ngtcp2_conn_get_max_stream_data_left(c->conn, sid);
}

uint64_t psq_stream_recv_credit(psq_conn *c, int64_t sid) {
  stream *s = find_stream(c, sid);
  if (!s || c->state != ST_OPEN || s->rd_fin || s->rd_reset || s->rd_stopped) return 0;
  return s->rx_granted > s->rx_delivered ? s->rx_granted - s->rx_delivered : 0;
}

uint64_t psq_conn_send_credit(psq_conn *c) {
  return c->state == ST_OPEN ? ngtcp2_conn_get_max_data_left(c->conn) : 0;
}

size_t psq_conn_stream_count(psq_conn *c) { return c->nstreams; }

void psq_conn_path_stats(psq_conn *c, psq_path_stats *out) {
  memset(out, 0, sizeof(*out));
  if (c->state != ST_OPEN) return;
  ngtcp2_conn_stat cs;
  ngtcp2_conn_get_conn_stat(c->conn, &cs);
  if (cs.first_rtt_sample_ts != UINT64_MAX) {
    out->smoothed_rtt_ns = cs.smoothed_rtt;
    out->min_rtt_ns = cs.min_rtt;
    out->latest_rtt_ns = cs.latest_rtt;
  }
  out->cwnd = cs.cwnd;
  out->bytes_in_flight = cs.bytes_in_flight;
  out->pacing_rate = (uint64_t)(cs.pacing_rate * 1e9); /* ngtcp2: bytes per nanosecond */
  out->max_udp_payload = ngtcp2_conn_get_max_tx_udp_payload_size(c->conn);
}

int psq_conn_close(psq_conn *c, uint64_t code, const char *reason) {
  if (c->state != ST_OPEN) return PSQ_ERR_CLOSED;
  size_t rl = reason ? strlen(reason) : 0;
  if (rl > sizeof(c->ccerr_reason)) rl = sizeof(c->ccerr_reason);
  if (rl) memcpy(c->ccerr_reason, reason, rl);
  ngtcp2_connection_close_error_set_application_error(&c->ccerr, code, c->ccerr_reason, rl);
  char r[256] = "";
  sanitize(r, sizeof(r), (const uint8_t *)reason, rl);
  set_reason(c, "closed by us: application error 0x%llx%s%s%s", (unsigned long long)code,
             r[0] ? "; reason: \"" : "", r, r[0] ? "\"" : "");
  begin_close(c, PSQ_CLOSE_LOCAL_APP);
  return 0;
}

int psq_conn_is_closed(psq_conn *c) { return c->state != ST_OPEN; }

int psq_conn_is_final(psq_conn *c) { return c->state == ST_FINAL; }

const uint8_t *psq_conn_peer_cert(psq_conn *c, size_t *len) {
  *len = c->peer_cert_len;
  return c->peer_cert;
}

const char *psq_conn_alpn(psq_conn *c) { return c->alpn; }

const char *psq_conn_cipher(psq_conn *c) {
  return gnutls_cipher_get_name(gnutls_cipher_get(c->tls));
}

void psq_conn_free(psq_conn *c) {
  if (!c) return;
  if (c->conn) ngtcp2_conn_del(c->conn);
  if (c->tls) gnutls_deinit(c->tls);
  for (size_t i = 0; i < c->nbuckets; i++) {
    for (stream *s = c->buckets[i], *next; s; s = next) {
      next = s->hnext;
      stream_destroy(s);
    }
  }
  free(c->buckets);
  for (size_t i = 0; i < c->qlen; i++) free(c->q[c->qhead + i].owned);
  free(c->q);
  free(c->last_owned);
  free(c->peer_cert);
  free(c->closebuf);
  free(c);
}
