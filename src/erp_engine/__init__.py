"""ERP Engine: an inventory-centred ERP."""
