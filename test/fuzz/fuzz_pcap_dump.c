/* Fuzz target: Sofia-SIP transport dump records and the pcap packets made
 * from them (ue/pcap.c). The input is read as a dump, record after record,
 * never past its end; every record becomes a UDP and a TCP packet.
 *
 * FUZZ-SOURCES: ue/pcap.c
 * FUZZ-PKGS:
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ue/pcap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[UE_PCAP_REC_HDR + 65535];
	size_t pos = 0;

	while (pos < size) {
		struct ue_pcap_dump_rec r;
		char err[128];
		size_t used = 0;
		int rc = ue_pcap_dump_next(data + pos, size - pos, &r, &used, err, sizeof(err));

		if (rc == UE_PCAP_DUMP_MORE)
			break;
		if (used == 0 || used > size - pos || !memchr(err, '\0', sizeof(err)))
			abort();
		if (rc == UE_PCAP_DUMP_RECORD) {
			struct ue_pcap_pkt p = {.family = r.family, .sport = 5060, .dport = r.port,
						.payload = r.data, .len = r.len};

			if (r.data < data + pos || r.data + r.len > data + pos + used)
				abort();
			memcpy(p.dst, r.addr, sizeof(p.dst));
			for (int proto = UE_PCAP_UDP; proto <= UE_PCAP_TCP; proto++) {
				ssize_t n;

				p.proto = (enum ue_pcap_proto)proto;
				n = ue_pcap_record(out, sizeof(out), &p, r.day_s, r.usec, err,
						   sizeof(err));
				if (n > (ssize_t)sizeof(out))
					abort();
			}
		}
		pos += used;
	}
	return 0;
}
