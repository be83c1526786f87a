"""How data reaches the disk: the storage class, the data folder (lock, damage,
recovery), the corpus file and the draft journal."""
