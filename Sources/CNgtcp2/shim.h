// ngtcp2 0.12 (Debian bookworm) with its GnuTLS crypto backend: the QUIC implementation under /quic-v1.
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>
#include <gnutls/gnutls.h>
