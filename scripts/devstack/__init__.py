"""A local stack of real servers for the demo and the tests: Synapse and MediaWiki.

Standard library only, so it runs before the project's virtualenv exists.
"""

from scripts.devstack.stack import Stack, StackInfo, StackUser

__all__ = ["Stack", "StackInfo", "StackUser"]
