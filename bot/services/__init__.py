"""Services: capture, prompting, curation, publishing, research, diffusion."""
