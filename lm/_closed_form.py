"""The closed forms with which ROME and MEMIT insert a fact into an MLP down-projection ``W`` (D x F).

Given key statistics ``C = E[k k^T]`` (F, F), keys ``K`` (F, N: one column per fact) and residuals ``R``
(D, N: what the layer's output should gain at each key), both methods add ``Delta = R V^T`` with

    V = C^{-1} K (lam I + K^T C^{-1} K)^{-1}                                    (F, N)

- MEMIT (Meng et al. 2023, eq. 14): ``Delta = R K^T (lam C + K K^T)^{-1}``, the minimiser of
  ``||Delta K - R||^2 + lam tr(Delta C Delta^T)``; the two forms are equal by the push-through identity
  ``(lam C + K K^T)^{-1} K = C^{-1} K (lam I + K^T C^{-1} K)^{-1}``.
- ROME (Meng et al. 2022, eq. 2): one key ``k*`` and ``lam = 0``: ``Delta = r (C^{-1} k*)^T / (k*^T C^{-1} k*)``,
  the smallest change in the ``C`` norm with ``(W + Delta) k* = W k* + r`` exactly.

The second form needs only ``C^{-1} K`` and an N x N solve, and it holds at ``lam = 0``. Everything is
float64: ``C`` of a trained model spans several orders of magnitude.
"""

from __future__ import annotations

import torch

from ._errors import LMError

__all__ = ["directions", "directions_each"]


def _solve_c(C: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    try:
        return torch.linalg.solve(C, K)
    except torch.linalg.LinAlgError as e:
        raise LMError("the key statistics' second moment is singular: estimate it from more tokens "
                      f"(lm.key_statistics(..., max_tokens=...)) ({e})") from None


def directions(C: torch.Tensor, K: torch.Tensor, lam: float) -> torch.Tensor:
    """``V = C^{-1} K (lam I + K^T C^{-1} K)^{-1}`` (F, N) for keys ``K`` (F, N); ``Delta = R V^T``.

    Example:
        >>> C = torch.eye(3, dtype=torch.float64); k = torch.tensor([[2.0], [0.0], [0.0]], dtype=torch.float64)
        >>> directions(C, k, 0.0)[:, 0].tolist()   # ROME: C^{-1}k / (k^T C^{-1} k)
        [0.5, 0.0, 0.0]
    """
    CK = _solve_c(C, K)  # (F, N)
    G = K.T @ CK + lam * torch.eye(K.shape[1], dtype=K.dtype, device=K.device)  # (N, N)
    return torch.linalg.solve(G, CK.T).T  # G symmetric: (G^{-1} CK^T)^T = CK G^{-1}


def directions_each(C: torch.Tensor, K: torch.Tensor, lam: float) -> torch.Tensor:
    """For many independent edits at once: edit i's keys ``K[i]`` (F, m), its own key first and m - 1 keys
    to leave unchanged (residual 0) after it; returns (N, F), row i the first column of
    ``directions(C, K[i], lam)``: edit i adds ``r_i V[i]^T``, a rank-one change.

    Example:
        >>> C = torch.eye(2, dtype=torch.float64); K = torch.tensor([[[1.0], [0.0]], [[0.0], [2.0]]], dtype=torch.float64)
        >>> directions_each(C, K, 1.0).tolist()   # k / (1 + |k|^2)
        [[0.5, 0.0], [0.0, 0.4]]
    """
    n, f, m = K.shape
    CK = _solve_c(C, K.permute(1, 0, 2).reshape(f, n * m)).reshape(f, n, m).permute(1, 0, 2)  # (N, F, m)
    G = K.transpose(1, 2) @ CK + lam * torch.eye(m, dtype=K.dtype, device=K.device)  # (N, m, m)
    first = torch.zeros(n, m, 1, dtype=K.dtype, device=K.device)
    first[:, 0] = 1.0
    return (CK @ torch.linalg.solve(G, first))[:, :, 0]  # column 1 of CK G^{-1}
