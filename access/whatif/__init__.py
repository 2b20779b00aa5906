"""What if: scenarios, the board, comparisons, sweeps, siting and the week (imports analysis and below)."""
