"""Files the app keeps for the user, created private (layer 1, standard library only): the
history database, kept audio, logs and settings live in 0700 directories as 0600 files
(`private`), tightened on start when an older version left them open; files that carry a
secret are read and written safely (`secret_files`). May import: nothing of the package."""
