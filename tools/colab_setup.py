# The first cell of a lesson opened on Google Colab (or on any machine without the course): fetch the course, its
# shipped data and its package once, then work from the lesson's folder. Where the course is already there (make lab,
# Binder), it does nothing. docs/instructor-guide.md shows it; tests/test_class.py runs it on a simulated fresh machine.
import os
import subprocess
import sys

COURSE = os.environ.get("HEARTDATA_COURSE_URL", "https://github.com/heart-data-course/course.git")
REF = os.environ.get("HEARTDATA_COURSE_REF", "")  # a cohort's tag, e.g. v0.3.0; empty: the default branch


def _course_root(start):
    folder = os.path.abspath(start)
    while True:
        package, data = os.path.join(folder, "heartdata", "__init__.py"), os.path.join(folder, "data")
        if os.path.isfile(package) and os.path.isdir(data):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


root = _course_root(os.getcwd())
if root is None:
    root = os.path.abspath("heart-data-course")
    if not os.path.isdir(root):
        print(f"fetching the course and its data from {COURSE} ...")
        subprocess.run(["git", "clone", "--quiet", "--depth", "1", *(["--branch", REF] if REF else []), COURSE, root],
                       check=True)
    try:
        import wfdb  # noqa: F401  (the course's packages are there already: do not reinstall them)
    except ImportError:
        requirements = os.path.join(root, "requirements.txt")
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "-r", requirements], check=True)
    os.chdir(os.path.join(root, "notebooks"))
if root not in sys.path:
    sys.path.insert(0, root)
print(f"the course is at {root}")
