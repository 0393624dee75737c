"""简体中文：每一帧显示的文字。字体：Noto Sans SC（SIL 开放字体许可证），来自 pylopdf-fonts-zh-cn。"""

DECIMAL = "."  # 中文的小数点与英文相同

FONT = ("Noto Sans SC", "pylopdf_fonts_zh_cn", "sans_path")

TEXTS = {
    "title_steps": "梯度下降，{model}：  λ = {lam}，  η = {lr}{schedule}",
    "title_lam": "λ 增大时的最小值点，{model}：  λ 从 {lo} 到 {hi}",
    "title_breaks": "：  |，  | (",
    "step": "第 {k} / {total} 步",
    "join": "  ·  ",
    "parts": "，",
    "diverges": "{label}：发散，每一步都越冲越远",
    "zero_since": "{label}：自第 {step} 步起恰好为 0",
    "bounces": "{label}：在 {lo} 与 {hi} 之间来回跳动，始终停不在 0",
    "settles": "{label}：稳定在 {value}",
    "near_zero": "{label}：离 0 不到 {gap}，但不恰好为 0",
    "heading": "{label}：现在 {value}，正趋向 {star}",
    "outcome": "{label}：{parts}",
    "w_zero_since": "w{j} 自第 {step} 步起恰好为 0",
    "w_near_zero": "w{j} 离 0 不到 {gap}，但不恰好为 0",
    "w_to": "w{j} → {star}",
    "w_heading": "w{j} 现在 {value}，正趋向 {star}",
    "zero_from": "{label}：从 λ = {lam} 起恰好为 0",
    "w_zero_from": "w{j} 从 λ = {lam} 起恰好为 0",
    "beyond": "（超出此范围）",
    "path_at": "{label} 在 λ = {lam} 时：{value}",
    "loss_title": "目标函数 F = L + 惩罚项",
    "data_only": "L(w)，仅数据项",
    "weight_title": "权重 w 随步数的变化",
    "weights_title": "权重 w1、w2 随步数的变化",
    "step_axis": "步数",
    "band": "{label}：预测的振荡带",
    "fit_title": "拟合直线 y = w·x",
    "data": "数据",
    "push_title": "对 w 的推力（负梯度）",
    "pushes_title": "对各权重的推力（负梯度）",
    "push_axis": "灰色：数据项 · 彩色：惩罚项",
    "gap_title": "目标差距 F(w) − F*",
    "floor": "下限：舍入误差",
    "plane_title": "损失等高线与惩罚球",
    "least_squares": "最小二乘解",
    "ball_l1": "L1 菱形",
    "ball_l2": "L2 圆",
    "ball_elasticnet": "弹性网络球",
    "curves_title": "F = L + λ·惩罚项（虚线：仅 L）",
    "path_title": "最小值点 w*(λ)",
    "paths_title": "路径：w1*(λ)、w2*(λ)",
    "knot": "{name} = 0",
    "nonzero": "非零权重个数（{label}）：{counts}",
}

TERMS = {
    "No penalty": "无惩罚",
    "Elastic net": "弹性网络",
    "subgradient": "次梯度",
    "clipped": "截断",
    "proximal": "近端",
}

PRESETS = {
    "seed": "L1 在第 24 步恰好落到 0，L2 稳定在 0.2006（λ = 0.5，lr = 0.1）",
    "chatter": "固定步长的次梯度下降在 0 附近的带内来回跳动；近端方法则落在 0 上",
    "below-threshold": "λ = 0.2 低于 2|mean(x·y)| = 0.335：L1 缩小 w 但停在 0 之前",
    "diminishing-step": "步长取 lr/sqrt(t+1) 时，次梯度的跳动逐渐变小，向 0 靠近",
    "divergence": "lr = 1.3 超过 L2 的稳定界 1/(a+λ) = 1.198：每一步都越冲越远",
    "elasticnet": "弹性网络兼有两者：像 L2 一样收缩，L1 成分足够大时也会停在 0",
    "diamond": "两个权重，教科书中的图：L1 落在菱形的顶点上（w2 = 0），L2 落在圆上，不在坐标轴上",
    "correlated": "两个相似的特征（ρ = 0.9），真实模型只含 x1：L1 只保留 x1，L2 把权重分给两者",
    "diamond-small-lambda": "两个权重，λ = 0.15 低于两个阈值：L1 缩小两个权重但都保留，和 L2 一样",
    "lambda-path": "以 λ 为时钟：L1 的最小值点在 λ = 2|b| = 0.335 处滑到恰好为 0 并停留；L2 沿 b/(a+λ) 变化，永远到不了 0",
    "lasso-path": "两个权重随 λ 增大：lasso 在 λ = 0.3 处去掉 w2，在 2.5 处去掉 w1，滑到坐标轴上；岭回归只收缩",
}
