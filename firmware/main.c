// SPDX-License-Identifier: MIT
/*
 * The firmware's entry from crt0: boot, then poll forever, sleeping in
 * wfi whenever a pass over the registers found nothing to do.  Events
 * that arrive while awake are not lost: the next pass sees them in the
 * registers.
 */
#include "fw.h"
#include "hal.h"

#ifndef FW_IMAGE_VERSION
#error "FW_IMAGE_VERSION comes from FW_VERSION in firmware/firmware.mk"
#endif

static struct fw_state fw;

int main(void)
{
	fw_init(&fw, FW_IMAGE_VERSION);
	for (;;) {
		if (!fw_poll_once(&fw))
			fw_wfi();
	}
}
