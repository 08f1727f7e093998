"""The repository's stores, one per aggregate; `bot.storage.repository.Repository` combines them."""
