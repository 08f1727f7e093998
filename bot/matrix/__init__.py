"""Matrix side: nio client lifecycle, sync loop, event translation, outbound gateway."""
