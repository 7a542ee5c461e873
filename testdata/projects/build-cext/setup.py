from setuptools import Extension, setup

setup(
    package_dir={"": "src"},
    packages=["cext_sample"],
    ext_modules=[Extension("cext_sample._fast", ["src/cext_sample/_fast.c"])],
)
