#ifndef PEERSCOPE_CRESOLV_H
#define PEERSCOPE_CRESOLV_H

#include <stdint.h>

/// Outcome classes of one query, from the resolver's h_errno (and our own argument checks).
enum cresolv_status {
    CRESOLV_OK = 0,
    CRESOLV_NAME_NOT_FOUND = 1, /* NXDOMAIN */
    CRESOLV_TRY_AGAIN = 2,      /* no answer in time, or SERVFAIL */
    CRESOLV_NO_RECOVERY = 3,    /* REFUSED, FORMERR, or an unparsable answer */
    CRESOLV_NO_DATA = 4,        /* the name exists, with no record of this type */
    CRESOLV_BAD_ARGUMENT = 5,   /* server address or name we could not use */
    CRESOLV_INIT_FAILED = 6,    /* res_ninit failed (no usable resolver configuration) */
};

/// Sends one query for `name` of `rr_type` (class IN) and writes the whole answer message into `answer`.
/// `server_ip4` NULL asks the servers of /etc/resolv.conf; otherwise only that IPv4 server at
/// `server_port`. The resolver retries over TCP by itself when a UDP answer is truncated.
/// Returns the answer's length, or -1 with `*status` set.
int cresolv_query(const char *name, int rr_type, const char *server_ip4, uint16_t server_port,
                  int timeout_seconds, int attempts, uint8_t *answer, int capacity, int *status);

/// One resource record of a parsed answer section: where its data lies inside the message.
typedef struct {
    uint16_t type;
    uint16_t rr_class;
    uint32_t ttl;
    uint16_t rdata_length;
    int32_t rdata_offset;
    char name[1025];
} cresolv_record;

/// Parses a message with libresolv's ns_initparse/ns_parserr. Fills at most `capacity` answer records,
/// sets `*answer_count` to how many the message claims and `*rcode` to its response code.
/// Returns the number filled, or -1 when the message does not parse.
int cresolv_parse_answers(const uint8_t *message, int length, cresolv_record *records, int capacity,
                          int *answer_count, int *rcode);

#endif
