"""One file per model family; each registers its entries in ``nets.registry``."""
