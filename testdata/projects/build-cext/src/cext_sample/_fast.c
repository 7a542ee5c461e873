/* A tiny CPython extension: add(a, b) for hwb's sandboxed gcc build test. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *add(PyObject *self, PyObject *args)
{
	long a, b;

	(void)self;
	if (!PyArg_ParseTuple(args, "ll", &a, &b))
		return NULL;
	return PyLong_FromLong(a + b);
}

static PyMethodDef methods[] = {
	{ "add", add, METH_VARARGS, "Add two integers." },
	{ NULL, NULL, 0, NULL },
};

static struct PyModuleDef module = { PyModuleDef_HEAD_INIT, "_fast", NULL, -1,
				     methods, NULL, NULL, NULL, NULL };

PyMODINIT_FUNC PyInit__fast(void)
{
	return PyModule_Create(&module);
}
