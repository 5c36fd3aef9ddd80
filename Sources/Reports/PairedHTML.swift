import Foundation

/// The paired comparisons and BADGE's pairwise matrix in the HTML report:
/// a table, the tie verdict and an SVG heat map (darker: more budgets won).
enum PairedHTML {
    static func section(_ summary: Summary, metric: String) -> String {
        let comparisons = summary.comparisons(metric)
        guard let reference = summary.reference, !comparisons.isEmpty else { return "" }
        let e = SVGChart.escape
        var html = ["<h3>Paired over seeds against \(e(reference))</h3>",
                    "<table><tr><th class=\"name\">strategy</th><th>mean Δ AUBC</th><th>95% bootstrap CI</th><th>wins/ties/losses</th></tr>"]
        for c in comparisons {
            html.append("<tr><td class=\"name\">\(e(c.strategy))</td><td>\(String(format: "%+.4f", c.mean))</td>"
                        + "<td>\(String(format: "[%+.4f, %+.4f]", c.low, c.high))</td><td>\(c.wins)/\(c.ties)/\(c.losses)</td></tr>")
        }
        html.append("</table>")
        let tied = summary.tied(metric)
        if !tied.isEmpty {
            html.append("<p class=\"warning\">No strategy is ahead of every other with 95% confidence; statistically tied: "
                        + tied.map(e).joined(separator: ", ") + ".</p>")
        }
        html.append("<h3>Pairwise wins</h3><p>Labelled-set sizes at which a paired t-test over seeds (α = 0.05) finds the row better than the column.</p>")
        html.append(heatMap(summary.results.strategies, summary.pairwise(metric)))
        return html.joined(separator: "\n")
    }

    static func heatMap(_ strategies: [String], _ matrix: [[Int]]) -> String {
        let e = SVGChart.escape
        let cell = 44, label = 130, size = strategies.count
        let width = 2 * label + cell * size, height = label + cell * size + 10
        let most = max(1, matrix.flatMap { $0 }.max() ?? 1)
        var svg = ["<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"heatmap\" width=\"\(width)\" height=\"\(height)\" "
                   + "viewBox=\"0 0 \(width) \(height)\" font-family=\"Helvetica,Arial,sans-serif\" font-size=\"12\">"]
        for (index, name) in strategies.enumerated() {
            let y = label + index * cell + cell / 2 + 4, x = label + index * cell + cell / 2
            svg.append("<text x=\"\(label - 6)\" y=\"\(y)\" text-anchor=\"end\">\(e(name))</text>")
            svg.append("<text x=\"\(x)\" y=\"\(label - 6)\" text-anchor=\"start\" transform=\"rotate(-45 \(x) \(label - 6))\">\(e(name))</text>")
        }
        for (row, values) in matrix.enumerated() {
            for (column, value) in values.enumerated() {
                let x = label + column * cell, y = label + row * cell
                let shade = row == column ? "#eeeeee" : String(format: "rgb(%d,%d,%d)", 255 - 200 * value / most, 255 - 120 * value / most, 255)
                svg.append("<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"\(shade)\" stroke=\"#ffffff\"/>")
                if row != column {
                    svg.append("<text x=\"\(x + cell / 2)\" y=\"\(y + cell / 2 + 4)\" text-anchor=\"middle\" fill=\"\(value * 2 > most ? "#ffffff" : "#222222")\">\(value)</text>")
                }
            }
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n")
    }
}
