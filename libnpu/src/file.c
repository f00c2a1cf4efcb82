// SPDX-License-Identifier: MIT
/* Writing a file whole or not at all (file.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "file.h"
#include "npu/error.h"

int npu_write_file(const char *path, const struct npu_file_part *parts, size_t n)
{
	char *tmp = malloc(strlen(path) + sizeof(".XXXXXX"));
	FILE *f;
	int fd, ret = 0;

	if (!tmp)
		return npu_fail(NPU_E_NOMEM, "out of memory");
	sprintf(tmp, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!f) {
		ret = npu_fail(NPU_E_IO, "%s: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
	} else {
		int bad = 0;

		for (size_t i = 0; i < n; i++)
			bad |= parts[i].size && fwrite(parts[i].data, 1, parts[i].size, f) !=
						parts[i].size;
		bad |= fclose(f) != 0;
		/* mkstemp makes the file 0600. */
		if (bad || chmod(tmp, 0644) || rename(tmp, path)) {
			ret = npu_fail(NPU_E_IO, "%s: %s", path, strerror(errno ? errno : EIO));
			unlink(tmp);
		}
	}
	free(tmp);
	return ret;
}
