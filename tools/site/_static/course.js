// Marks every code or output block whose content is wider than its box (class course-scrolls), so that a reader
// sees there is more to the right (tools/site/_static/course.css draws the mark).
function courseMarkScrolling() {
  document.querySelectorAll("div.cell_input pre, div.highlight pre, div.cell_output pre, div.cell_output .output.text_html")
    .forEach((e) => e.classList.toggle("course-scrolls", e.scrollWidth > e.clientWidth + 1));
}
document.addEventListener("DOMContentLoaded", courseMarkScrolling);
window.addEventListener("resize", courseMarkScrolling);
