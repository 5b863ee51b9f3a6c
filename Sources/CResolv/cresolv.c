// Thin wrappers: glibc names res_nquery & co. through macros Swift cannot call, and res_state is a
// struct with unions that is easier to set up in C.
#include "cresolv.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <netdb.h>
#include <resolv.h>
#include <string.h>

static int status_of(int herrno) {
    switch (herrno) {
    case HOST_NOT_FOUND: return CRESOLV_NAME_NOT_FOUND;
    case TRY_AGAIN: return CRESOLV_TRY_AGAIN;
    case NO_DATA: return CRESOLV_NO_DATA;
    default: return CRESOLV_NO_RECOVERY;
    }
}

int cresolv_query(const char *name, int rr_type, const char *server_ip4, uint16_t server_port,
                  int timeout_seconds, int attempts, uint8_t *answer, int capacity, int *status) {
    struct __res_state state;
    memset(&state, 0, sizeof state);
    if (name == NULL || answer == NULL || capacity <= 0) {
        *status = CRESOLV_BAD_ARGUMENT;
        return -1;
    }
    if (res_ninit(&state) != 0) {
        *status = CRESOLV_INIT_FAILED;
        return -1;
    }
    if (server_ip4 != NULL) {
        struct in_addr address;
        if (inet_pton(AF_INET, server_ip4, &address) != 1) {
            res_nclose(&state);
            *status = CRESOLV_BAD_ARGUMENT;
            return -1;
        }
        memset(&state.nsaddr_list[0], 0, sizeof state.nsaddr_list[0]);
        state.nsaddr_list[0].sin_family = AF_INET;
        state.nsaddr_list[0].sin_port = htons(server_port);
        state.nsaddr_list[0].sin_addr = address;
        state.nscount = 1;
        // No search list: the name is asked exactly as given.
        state.options &= ~(RES_DNSRCH | RES_DEFNAMES);
    }
    state.retrans = timeout_seconds > 0 ? timeout_seconds : 1;
    state.retry = attempts > 0 ? attempts : 1;
    int length = res_nquery(&state, name, ns_c_in, rr_type, answer, capacity);
    if (length < 0) {
        *status = status_of(state.res_h_errno);
    } else if (length > capacity) {
        // The answer did not fit: res_nquery reports the full length but wrote only `capacity` bytes.
        *status = CRESOLV_NO_RECOVERY;
        length = -1;
    } else {
        *status = CRESOLV_OK;
    }
    res_nclose(&state);
    return length;
}

int cresolv_parse_answers(const uint8_t *message, int length, cresolv_record *records, int capacity,
                          int *answer_count, int *rcode) {
    ns_msg handle;
    if (message == NULL || length <= 0 || ns_initparse(message, length, &handle) != 0) return -1;
    int count = ns_msg_count(handle, ns_s_an);
    *answer_count = count;
    *rcode = ns_msg_getflag(handle, ns_f_rcode);
    int filled = 0;
    for (int index = 0; index < count && filled < capacity; index++) {
        ns_rr record;
        if (ns_parserr(&handle, ns_s_an, index, &record) != 0) return -1;
        cresolv_record *out = &records[filled++];
        out->type = ns_rr_type(record);
        out->rr_class = ns_rr_class(record);
        out->ttl = ns_rr_ttl(record);
        out->rdata_length = ns_rr_rdlen(record);
        out->rdata_offset = (int32_t)(ns_rr_rdata(record) - message);
        strncpy(out->name, ns_rr_name(record), sizeof out->name - 1);
        out->name[sizeof out->name - 1] = '\0';
    }
    return filled;
}
