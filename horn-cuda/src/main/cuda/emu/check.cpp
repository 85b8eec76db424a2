// Host check of horn_kernels.cu against horn-core reference data; see run.sh.
#include "cuda_emu.h"
#include "../horn_kernels.cu"
#include <cstdio>
#include <cstring>
#include <string>
#include <fstream>
#include <cstdint>
static std::string D;
static std::vector<float> rd(const std::string& n) {
  std::ifstream f(D + n + ".bin", std::ios::binary);
  std::vector<char> b((std::istreambuf_iterator<char>(f)), {});
  std::vector<float> v(b.size() / 4); memcpy(v.data(), b.data(), b.size()); return v;
}
static int fails = 0, checks = 0;
static bool same(float a, float b) { uint32_t x, y; memcpy(&x, &a, 4); memcpy(&y, &b, 4); return x == y || (a != a && b != b); }
static void exact(const char* what, const std::vector<float>& got, const std::vector<float>& ref) {
  checks++;
  int bad = 0;
  for (size_t i = 0; i < ref.size(); i++) if (!same(got[i], ref[i])) { if (bad < 3) printf("  %s[%zu]: got %.9g ref %.9g\n", what, i, got[i], ref[i]); bad++; }
  if (got.size() != ref.size()) { printf("  %s size %zu vs %zu\n", what, got.size(), ref.size()); bad++; }
  printf("%-34s %s (%zu values, %d differ)\n", what, bad ? "FAIL" : "ok  ", ref.size(), bad);
  if (bad) fails++;
}
static void close_(const char* what, const std::vector<float>& got, const std::vector<double>& ref, double tol) {
  checks++; int bad = 0;
  for (size_t i = 0; i < ref.size(); i++) if (std::fabs(got[i] - ref[i]) > tol * (1 + std::fabs(ref[i]))) { if (bad < 3) printf("  %s[%zu]: got %.9g ref %.9g\n", what, i, got[i], ref[i]); bad++; }
  printf("%-34s %s (%zu values, %d off)\n", what, bad ? "FAIL" : "ok  ", ref.size(), bad);
  if (bad) fails++;
}
int main(int argc, char** argv) {
  D = std::string(argc > 1 ? argv[1] : "data") + "/";
  const int n = 7, cols = 5, ld = 9;
  auto in = rd("act_in");
  const char* names[] = {"relu", "sigmoid", "tanh", "leaky_relu"};
  for (int f = 0; f < 4; f++) {
    for (dim3 g : {dim3{1,1,1}, dim3{2,1,1}, dim3{64,1,1}}) for (dim3 b : {dim3{3,1,1}, dim3{32,1,1}}) {
      auto a = in;
      float* ap = a.data();
      launch(g, b, [&] {
        switch (f) { case 0: relu_forward(n, cols, ld, ap); break; case 1: sigmoid_forward(n, cols, ld, ap); break;
          case 2: tanh_forward(n, cols, ld, ap); break; default: leaky_relu_forward(n, cols, ld, ap); }
      });
      exact((std::string(names[f]) + "_forward g" + std::to_string(g.x) + " b" + std::to_string(b.x)).c_str(), a, rd(std::string(names[f]) + "_forward"));
      auto y = rd(std::string(names[f]) + "_forward");
      auto gg = rd(std::string(names[f]) + "_g_in");
      const float* yp = y.data(); float* gp = gg.data();
      launch(g, b, [&] {
        switch (f) { case 0: relu_backward(n, cols, yp, ld, gp, 8); break; case 1: sigmoid_backward(n, cols, yp, ld, gp, 8); break;
          case 2: tanh_backward(n, cols, yp, ld, gp, 8); break; default: leaky_relu_backward(n, cols, yp, ld, gp, 8); }
      });
      exact((std::string(names[f]) + "_backward g" + std::to_string(g.x) + " b" + std::to_string(b.x)).c_str(), gg, rd(std::string(names[f]) + "_backward"));
    }
  }
  for (int sn : {10, 1000}) {
    int sc = sn == 10 ? 37 : 3, sl = sn + 1;
    std::string S = std::to_string(sn);
    for (dim3 g : {dim3{1,1,1}, dim3{5,1,1}, dim3{64,1,1}}) for (dim3 b : {dim3{1,1,1}, dim3{7,1,1}, dim3{32,1,1}, dim3{256,1,1}}) {
      if (sn == 1000 && b.x < 32) continue;
      std::string tag = " n" + S + " g" + std::to_string(g.x) + " b" + std::to_string(b.x);
      auto x = rd("sm_in_" + S); float* xp = x.data();
      launch(g, b, [&] { softmax_forward(sn, sc, sl, xp); });
      exact(("softmax_forward" + tag).c_str(), x, rd("sm_out_" + S));
      auto y = rd("sm_out_" + S); auto gg = rd("smb_g_" + S); float* gp = gg.data(); const float* yp = y.data();
      launch(g, b, [&] { softmax_backward(sn, sc, yp, sl, gp, sn); });
      exact(("softmax_backward" + tag).c_str(), gg, rd("smb_out_" + S));
      auto t1 = rd("t1_" + S), t2 = rd("t2_" + S), ys = rd("sig_y_" + S), xin = rd("sm_in_" + S);
      std::vector<float> d(sn * sc, -9), cost(sc, -9);
      launch(g, b, [&] { softmax_xent_delta(sn, sc, yp, sl, t1.data(), d.data(), cost.data()); });
      exact(("softmax_xent_delta d" + tag).c_str(), d, rd("sxd_delta_" + S));
      exact(("softmax_xent_delta c" + tag).c_str(), cost, rd("sxd_cost_" + S));
      launch(g, b, [&] { sigmoid_xent_delta(sn, sc, ys.data(), sl, t2.data(), d.data(), cost.data()); });
      exact(("sigmoid_xent_delta d" + tag).c_str(), d, rd("gxd_delta_" + S));
      exact(("sigmoid_xent_delta c" + tag).c_str(), cost, rd("gxd_cost_" + S));
      launch(g, b, [&] { cross_entropy_delta(sn, sc, ys.data(), sl, t2.data(), d.data(), cost.data()); });
      exact(("cross_entropy_delta d" + tag).c_str(), d, rd("cxd_delta_" + S));
      exact(("cross_entropy_delta c" + tag).c_str(), cost, rd("cxd_cost_" + S));
      launch(g, b, [&] { squared_error_delta(sn, sc, xin.data(), sl, t2.data(), d.data(), cost.data()); });
      exact(("squared_error_delta d" + tag).c_str(), d, rd("sed_delta_" + S));
      exact(("squared_error_delta c" + tag).c_str(), cost, rd("sed_cost_" + S));
    }
  }
  // Optimizers
  const int in_ = 4, out = 6, colLen = in_ + 1, len = colLen * out;
  for (dim3 g : {dim3{1,1,1}, dim3{3,1,1}}) for (dim3 b : {dim3{4,1,1}, dim3{64,1,1}}) {
    auto p = rd("opt_p0"); std::vector<float> prev(len, 0);
    for (int s = 0; s < 3; s++) { auto sums = rd("opt_sums" + std::to_string(s));
      launch(g, b, [&] { momentum_sgd(len, sums.data(), 1.0f / 32, 0.1f, 0.9f, 0.01f, p.data(), prev.data(), colLen, 0); }); }
    exact("momentum_sgd params", p, rd("sgd_p")); exact("momentum_sgd prev", prev, rd("sgd_prev"));
    p = rd("opt_p0"); std::fill(prev.begin(), prev.end(), 0); std::vector<float> m(len, 0), v(len, 0);
    auto corr = rd("adam_corr");
    for (int s = 0; s < 3; s++) { auto sums = rd("opt_sums" + std::to_string(s));
      launch(g, b, [&] { adam(len, sums.data(), 1.0f / 32, 0.001f, 0.9f, 0.999f, 1e-8f, corr[2*s], corr[2*s+1], 0.01f, colLen, p.data(), prev.data(), m.data(), v.data()); }); }
    exact("adam params", p, rd("adam_p")); exact("adam prev", prev, rd("adam_prev"));
  }
  // momentum with decayLast != 0: every entry decayed
  {
    auto p = rd("opt_p0"); std::vector<float> prev(len, 0); auto sums = rd("opt_sums0");
    auto ref = p; std::vector<float> rprev(len, 0);
    for (int i = 0; i < len; i++) { float d = 0.9f * rprev[i] - 0.1f * (sums[i] * (1.0f/32) + 0.01f * ref[i]); rprev[i] = d; ref[i] += d; }
    launch({2,1,1}, {8,1,1}, [&] { momentum_sgd(len, sums.data(), 1.0f / 32, 0.1f, 0.9f, 0.01f, p.data(), prev.data(), colLen, 1); });
    exact("momentum_sgd decayLast=1", p, ref);
  }
  // utilities
  {
    std::vector<float> a(9 * 5, 5.f), ref = a; for (int c = 0; c < 5; c++) { ref[c*9+7] = 1; ref[c*9+8] = 1; }
    launch({2,1,1}, {3,1,1}, [&] { fill_rows(2, 5, 9, 7, 1.0f, a.data()); });
    exact("fill_rows", a, ref);
    auto x = rd("act_in"); auto r2 = x; for (auto& e : r2) e *= 0.75f;
    launch({2,1,1}, {7,1,1}, [&] { scale((int) x.size(), 0.75f, x.data()); }); exact("scale", x, r2);
    x = rd("act_in"); r2 = x; for (int c = 0; c < 5; c++) for (int i = 0; i < 7; i++) r2[c*9+i] *= 0.5f;
    launch({2,1,1}, {7,1,1}, [&] { scale_rows(7, 5, 9, 0.5f, x.data()); }); exact("scale_rows", x, r2);
    x = rd("act_in"); r2 = x; std::vector<float> mask(7 * 5); for (int i = 0; i < 35; i++) mask[i] = (i * 7 % 3) ? 1.f : 0.f;
    for (int c = 0; c < 5; c++) for (int i = 0; i < 7; i++) r2[c*9+i] *= mask[c*7+i];
    launch({2,1,1}, {7,1,1}, [&] { mul_mask(7, 5, 9, mask.data(), x.data()); }); exact("mul_mask", x, r2);
  }
  // sgemm
  {
    auto A = rd("gemm_a"), B = rd("gemm_b"), C0 = rd("gemm_c");
    int m = 37, nn = 23, k = 29, lda = 40, ldb = 40, ldc = 38;
    for (int ta = 0; ta < 2; ta++) for (int tb = 0; tb < 2; tb++) for (float beta : {0.0f, 0.5f}) for (dim3 g : {dim3{1,1,1}, dim3{3,2,1}}) {
      std::vector<float> C = C0; if (beta == 0) for (auto& e : C) e = NAN;
      std::vector<double> ref(ldc * nn);
      for (int j = 0; j < nn; j++) for (int i = 0; i < ldc; i++) {
        if (i >= m) { ref[i + j*ldc] = C[i + j*ldc]; continue; }
        double s = 0; for (int l = 0; l < k; l++) s += (double) (ta ? A[l + i*lda] : A[i + l*lda]) * (tb ? B[j + l*ldb] : B[l + j*ldb]);
        ref[i + j*ldc] = 1.5 * s + (beta == 0 ? 0 : beta * C0[i + j*ldc]);
      }
      launch(g, {16,16,1}, [&] { sgemm_tiled(ta, tb, m, nn, k, 1.5f, A.data(), lda, B.data(), ldb, beta, C.data(), ldc); });
      std::vector<float> got(C.begin(), C.begin() + ldc * nn);
      std::string tag = "sgemm ta" + std::to_string(ta) + " tb" + std::to_string(tb) + " beta" + std::to_string(beta).substr(0,3) + " g" + std::to_string(g.x) + "x" + std::to_string(g.y);
      // rows m..ldc-1 untouched: compare with NaN-aware check via close_ on the computed rows only
      std::vector<float> gotc; std::vector<double> refc;
      for (int j = 0; j < nn; j++) for (int i = 0; i < m; i++) { gotc.push_back(got[i + j*ldc]); refc.push_back(ref[i + j*ldc]); }
      close_(tag.c_str(), gotc, refc, 1e-5);
      bool untouched = true; for (int j = 0; j < nn; j++) for (int i = m; i < ldc; i++) untouched &= same(got[i + j*ldc], C0[i+j*ldc]) || (beta == 0 && got[i+j*ldc] != got[i+j*ldc]);
      checks++; if (!untouched) { fails++; printf("%s: rows past m touched\n", tag.c_str()); }
    }
  }
  printf("%d checks, %d failed\n", checks, fails);
  return fails != 0;
}
