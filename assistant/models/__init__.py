"""The trained weights Isnad ships (the claim-stance model), with their model card; package data."""
